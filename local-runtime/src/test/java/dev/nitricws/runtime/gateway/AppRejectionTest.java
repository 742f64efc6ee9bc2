package dev.nitricws.runtime.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.nitricws.proto.websockets.v1.WebsocketConnectionResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import org.junit.jupiter.api.Test;

class AppRejectionTest {

  @Test
  void aReasonIsNeverCutBetweenTheHalvesOfASurrogatePair() {
    assertThat(AppRejection.text("x".repeat(255) + "🙂🙂")).isEqualTo("x".repeat(255));
    assertThat(AppRejection.text("x".repeat(254) + "🙂🙂")).isEqualTo("x".repeat(254) + "🙂");
    assertThat(AppRejection.text("short 🙂")).isEqualTo("short 🙂");
  }

  @Test
  void aStatusTheGatewayHasNoNameForKeepsItsCode() {
    UpgradeRequests.Refusal refusal = AppRejection.of(WebsocketConnectionResponse.newBuilder()
        .setReject(true).setRejectStatus(499).build());

    assertThat(refusal.status().code()).isEqualTo(499);
    assertThat(refusal.reason()).isEqualTo(refusal.status().reasonPhrase()).isNotBlank();
    assertThat(AppRejection.of(WebsocketConnectionResponse.newBuilder().setReject(true).build()))
        .isEqualTo(new UpgradeRequests.Refusal(HttpResponseStatus.INTERNAL_SERVER_ERROR, "Connection Refused"));
  }
}
