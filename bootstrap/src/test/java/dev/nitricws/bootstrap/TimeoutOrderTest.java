package dev.nitricws.bootstrap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.nitricws.adapters.nitric.events.NitricEventSource;
import dev.nitricws.ports.WebsocketApp;
import dev.nitricws.runtime.LocalRuntime;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * The app gives up on an event before the event source does, and the event source before the
 * runtime: whoever answers a connect first is the one whose answer counts, and a late accept never
 * leaves a registered connection that the gateway has refused.
 */
class TimeoutOrderTest {

  @Test
  void theDefaultTimeoutsNest() {
    assertThat(WebsocketApp.DEFAULT_HANDLER_TIMEOUT).isEqualTo(Duration.ofSeconds(10));
    assertThat(NitricEventSource.DEFAULT_ANSWER_TIMEOUT).isEqualTo(Duration.ofSeconds(20));
    assertThat(LocalRuntime.DEFAULT_HANDLER_TIMEOUT).isEqualTo(Duration.ofSeconds(30));
    assertThat(NitricWsMain.parse("--store=memory").handlerTimeout()).isEqualTo(WebsocketApp.DEFAULT_HANDLER_TIMEOUT);
  }

  @Test
  void aHandlerTimeoutThatWouldOutlastTheEventSourceIsRefused() {
    assertThat(NitricWsMain.parse("--store=memory", "--handler-timeout=19s").handlerTimeout()).isEqualTo(Duration.ofSeconds(19));
    assertThatThrownBy(() -> NitricWsMain.parse("--store=memory", "--handler-timeout=20s"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("--handler-timeout must be shorter than 20s")
        .hasMessageContaining("answer timeout");
  }
}
