package dev.nitricws.adapters.nitric;

import static java.util.Objects.requireNonNull;

import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.ForwardingClientCall;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;

/**
 * Adds {@code authorization: Bearer <token>} to every call on a channel, the shared runtime token
 * a runtime that checks one expects. The token is never logged or shown.
 */
public final class BearerTokenInterceptor implements ClientInterceptor {

  /** The metadata key the token travels under. */
  public static final Metadata.Key<String> AUTHORIZATION = Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);

  private final String value;

  /** An interceptor sending {@code token} (printable ASCII, no spaces). */
  public BearerTokenInterceptor(String token) {
    requireNonNull(token, "token");
    RuntimeCredentials.checkToken(token);
    this.value = "Bearer " + token;
  }

  @Override
  public <Q, R> ClientCall<Q, R> interceptCall(MethodDescriptor<Q, R> method, CallOptions options, Channel next) {
    return new ForwardingClientCall.SimpleForwardingClientCall<>(next.newCall(method, options)) {
      @Override
      public void start(Listener<R> listener, Metadata headers) {
        headers.put(AUTHORIZATION, value);
        super.start(listener, headers);
      }
    };
  }

  @Override
  public String toString() {
    return "BearerTokenInterceptor[token=****]";
  }
}
