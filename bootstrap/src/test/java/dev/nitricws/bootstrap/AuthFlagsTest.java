package dev.nitricws.bootstrap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.nitricws.ports.Authentication;
import dev.nitricws.ports.HmacTokens;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The chat's connect-time authentication: switched on by a secret, tried out with a minted token. */
class AuthFlagsTest {

  private static final String SECRET = "0123456789abcdef0123456789abcdef-chat";

  @Test
  void aSecretSwitchesAuthenticationOnAndIsNeverShown() {
    AppSettings on = NitricWsMain.parse("--store=memory", "--auth-secret=" + SECRET);
    AppSettings off = NitricWsMain.parse("--store=memory");

    assertThat(on.authentication()).isPresent();
    assertThat(off.authentication()).isEmpty();
    assertThat(on.toString()).doesNotContain(SECRET).contains("authentication=hmac");
    assertThat(off.toString()).contains("authentication=off");
    assertThatThrownBy(() -> NitricWsMain.parse("--store=memory", "--auth-secret=short"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("--auth-secret")
        .hasMessageContaining("at least 32 bytes").hasMessageNotContaining("short'");
  }

  @Test
  void mintTokenPrintsATokenTheSecretVerifiesAndExits() {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine command = new CommandLine(new NitricWsMain());
    command.setOut(new PrintWriter(out, true));
    command.setErr(new PrintWriter(err, true));

    int exit = command.execute("--auth-secret=" + SECRET, "--mint-token", "alice", "--token-life=10m");

    assertThat(exit).isZero();
    String token = out.toString().strip();
    HmacTokens tokens = HmacTokens.withSecret(SECRET);
    assertThat(tokens.verify(token)).isEqualTo(new Authentication.Authenticated("alice"));
    assertThat(tokens.clock(Clock.offset(Clock.systemUTC(), Duration.ofMinutes(11))).verify(token))
        .isEqualTo(new Authentication.Refused("expired token"));
  }

  @Test
  void mintTokenWithoutASecretSaysWhatIsMissing() {
    StringWriter err = new StringWriter();
    CommandLine command = new CommandLine(new NitricWsMain());
    command.setErr(new PrintWriter(err, true));
    command.setOut(new PrintWriter(new StringWriter(), true));

    assertThat(command.execute("--mint-token", "alice")).isEqualTo(2);
    assertThat(err.toString()).contains("--mint-token needs --auth-secret (or NITRICWS_AUTH_SECRET)");
  }
}
