package dev.nitricws.ports;

import static java.util.Objects.requireNonNull;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Optional;
import java.util.regex.Pattern;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Signed, expiring tokens for connect-time authentication, with nothing but the JDK: a token is
 * {@code base64url(payload) + "." + base64url(HMAC-SHA256(secret, base64url(payload)))}, and the
 * payload is {@code <expiry epoch second>:<subject>} in UTF-8. The client sends it in the query
 * ({@code ?token=...}, the parameter is {@link #fromQuery configurable}).
 *
 * <p>{@link #verify} checks the signature first (in constant time), then the form, then the
 * expiry, and refuses with one of three reasons: {@code bad signature}, {@code malformed token},
 * {@code expired token} ({@code missing token} when the query has none). The token itself is never
 * logged or put in a message. Immutable and thread-safe; the secret never appears in {@link
 * #toString()}.
 */
public final class HmacTokens implements Authenticator {

  /** The shortest secret accepted, in bytes: the size of the HMAC-SHA256 output. */
  public static final int MIN_SECRET_BYTES = 32;
  /** The longest subject, in characters. */
  public static final int MAX_SUBJECT_LENGTH = 256;

  private static final String ALGORITHM = "HmacSHA256";
  private static final int MAX_TOKEN_LENGTH = 1_024;
  private static final Pattern BASE64URL = Pattern.compile("[A-Za-z0-9_-]+");
  private static final Pattern EPOCH_SECOND = Pattern.compile("[0-9]{1,12}");
  private static final Base64.Encoder ENCODER = Base64.getUrlEncoder().withoutPadding();
  private static final Base64.Decoder DECODER = Base64.getUrlDecoder();
  private static final Authentication MALFORMED = new Authentication.Refused("malformed token");
  private static final Authentication BAD_SIGNATURE = new Authentication.Refused("bad signature");
  private static final Authentication EXPIRED = new Authentication.Refused("expired token");
  private static final Authentication MISSING = new Authentication.Refused("missing token");

  private final SecretKeySpec key;
  private final Clock clock;
  private final String parameter;

  private HmacTokens(SecretKeySpec key, Clock clock, String parameter) {
    this.key = key;
    this.clock = clock;
    this.parameter = parameter;
  }

  /** Tokens signed with {@code secret} (at least {@value #MIN_SECRET_BYTES} bytes), read from {@code ?token=}. */
  public static HmacTokens withSecret(byte[] secret) {
    requireNonNull(secret, "secret");
    if (secret.length < MIN_SECRET_BYTES) {
      throw new IllegalArgumentException("an HMAC-SHA256 secret needs at least " + MIN_SECRET_BYTES
          + " bytes, got " + secret.length + " (e.g. from `openssl rand -base64 32`)");
    }
    return new HmacTokens(new SecretKeySpec(secret.clone(), ALGORITHM), Clock.systemUTC(), "token");
  }

  /** Tokens signed with the UTF-8 bytes of {@code secret} (at least {@value #MIN_SECRET_BYTES} bytes). */
  public static HmacTokens withSecret(String secret) {
    return withSecret(requireNonNull(secret, "secret").getBytes(StandardCharsets.UTF_8));
  }

  /** These tokens, judging expiry by {@code clock} (default: system UTC). */
  public HmacTokens clock(Clock clock) {
    return new HmacTokens(key, requireNonNull(clock, "clock"), parameter);
  }

  /** These tokens, read from the query parameter {@code name} (default {@code token}). */
  public HmacTokens fromQuery(String name) {
    requireNonNull(name, "name");
    if (name.isEmpty()) {
      throw new IllegalArgumentException("the query parameter name must not be empty");
    }
    return new HmacTokens(key, clock, name);
  }

  /** A token for {@code subject} that expires {@code life} from now (by the clock). */
  public String mint(String subject, Duration life) {
    requireNonNull(life, "life");
    return mint(subject, clock.instant().plus(life));
  }

  /**
   * A token for {@code subject} that expires at {@code expiresAt} (to the second, rounded down).
   *
   * @throws IllegalArgumentException when the subject is empty, longer than {@value
   *     #MAX_SUBJECT_LENGTH} characters, or holds control characters or unpaired surrogates
   */
  public String mint(String subject, Instant expiresAt) {
    requireNonNull(subject, "subject");
    requireNonNull(expiresAt, "expiresAt");
    checkSubject(subject);
    if (expiresAt.getEpochSecond() < 0 || expiresAt.getEpochSecond() > 999_999_999_999L) {
      throw new IllegalArgumentException("a token's expiry must be between 1970 and the year 33658, got " + expiresAt);
    }
    return sign((expiresAt.getEpochSecond() + ":" + subject).getBytes(StandardCharsets.UTF_8));
  }

  /** Who {@code token} names, or why it is refused; never throws for a bad token. */
  public Authentication verify(String token) {
    requireNonNull(token, "token");
    int dot = token.indexOf('.');
    if (token.length() > MAX_TOKEN_LENGTH || dot <= 0 || dot != token.lastIndexOf('.') || dot == token.length() - 1) {
      return MALFORMED;
    }
    String encodedPayload = token.substring(0, dot);
    String encodedSignature = token.substring(dot + 1);
    if (!BASE64URL.matcher(encodedPayload).matches() || !BASE64URL.matcher(encodedSignature).matches()) {
      return MALFORMED;
    }
    byte[] signature;
    byte[] payload;
    try {
      signature = DECODER.decode(encodedSignature);
      payload = DECODER.decode(encodedPayload);
    } catch (IllegalArgumentException e) {
      return MALFORMED;
    }
    if (!MessageDigest.isEqual(mac(encodedPayload.getBytes(StandardCharsets.US_ASCII)), signature)) {
      return BAD_SIGNATURE;
    }
    Optional<String> text = utf8(payload);
    int colon = text.map(t -> t.indexOf(':')).orElse(-1);
    if (colon <= 0 || !EPOCH_SECOND.matcher(text.get().substring(0, colon)).matches()) {
      return MALFORMED;
    }
    String subject = text.get().substring(colon + 1);
    try {
      checkSubject(subject);
    } catch (IllegalArgumentException e) {
      return MALFORMED;
    }
    long expiry = Long.parseLong(text.get().substring(0, colon));
    if (clock.instant().getEpochSecond() >= expiry) {
      return EXPIRED;
    }
    return new Authentication.Authenticated(subject);
  }

  /** Verifies the token in the connect's query parameter; refuses a connect without one. */
  @Override
  public Authentication authenticate(ConnectContext context) {
    return context.query().first(parameter).map(this::verify).orElse(MISSING);
  }

  /** A token carrying {@code payload} as it is, signed (tests build odd payloads with it). */
  String sign(byte[] payload) {
    String encoded = ENCODER.encodeToString(payload);
    return encoded + "." + ENCODER.encodeToString(mac(encoded.getBytes(StandardCharsets.US_ASCII)));
  }

  private byte[] mac(byte[] data) {
    try {
      Mac mac = Mac.getInstance(ALGORITHM);
      mac.init(key);
      return mac.doFinal(data);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("the JDK has no usable " + ALGORITHM, e);
    }
  }

  private static void checkSubject(String subject) {
    if (subject.isEmpty() || subject.length() > MAX_SUBJECT_LENGTH) {
      throw new IllegalArgumentException("a token's subject must have 1 to " + MAX_SUBJECT_LENGTH
          + " characters, got " + subject.length());
    }
    if (subject.chars().anyMatch(Character::isISOControl)) {
      throw new IllegalArgumentException("a token's subject must not hold control characters");
    }
    if (utf8(subject.getBytes(StandardCharsets.UTF_8)).filter(subject::equals).isEmpty()) {
      throw new IllegalArgumentException("a token's subject must be valid Unicode (no unpaired surrogates)");
    }
  }

  private static Optional<String> utf8(byte[] bytes) {
    try {
      return Optional.of(StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes)).toString());
    } catch (CharacterCodingException e) {
      return Optional.empty();
    }
  }

  @Override
  public String toString() {
    return "HmacTokens[HmacSHA256, query parameter '" + parameter + "']";
  }
}
