package dev.nitricws.runtime;

import static java.nio.charset.StandardCharsets.UTF_8;
import static java.util.Objects.requireNonNull;

import io.grpc.Grpc;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Lets through only gRPC calls whose metadata carries {@code authorization: Bearer <token>} with
 * the runtime's shared token; others are closed with UNAUTHENTICATED. The comparison takes the
 * same time whatever the value (digests compared with {@link MessageDigest#isEqual}); the token
 * is never logged. Thread-safe.
 */
final class TokenAuthInterceptor implements ServerInterceptor {

  static final Metadata.Key<String> AUTHORIZATION =
      Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);

  private static final Logger LOG = LoggerFactory.getLogger(TokenAuthInterceptor.class);
  private static final Status REFUSED = Status.UNAUTHENTICATED.withDescription(
      "this Nitric runtime requires every call to carry metadata 'authorization: Bearer <token>' with its"
          + " token (give the app the runtime's NITRICWS_RUNTIME_TOKEN)");

  private final byte[] expectedDigest;

  TokenAuthInterceptor(String token) {
    requireNonNull(token, "token");
    this.expectedDigest = digest("Bearer " + token);
  }

  @Override
  public <Q, R> ServerCall.Listener<Q> interceptCall(
      ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
    String given = headers.get(AUTHORIZATION);
    if (given != null && MessageDigest.isEqual(digest(given), expectedDigest)) {
      return next.startCall(call, headers);
    }
    LOG.warn("Refused {} from {}: {}", call.getMethodDescriptor().getFullMethodName(),
        call.getAttributes().get(Grpc.TRANSPORT_ATTR_REMOTE_ADDR),
        given == null ? "no authorization metadata" : "wrong authorization metadata");
    call.close(REFUSED, new Metadata());
    return new ServerCall.Listener<>() {};
  }

  private static byte[] digest(String value) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(value.getBytes(UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java runtime has SHA-256", e);
    }
  }
}
