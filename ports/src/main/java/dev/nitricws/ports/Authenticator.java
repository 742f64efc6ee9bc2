package dev.nitricws.ports;

/**
 * Decides at connect time who a client is, from what its connect carries (a token in the query,
 * a header). Use it with {@link SocketHandler.Builder#authenticate(Authenticator)} or {@link
 * SocketHandler#authenticated(Authenticator, SocketHandler)}: a refused client is rejected with
 * {@value #REFUSED_STATUS} Unauthorized and the refusal's reason before the handler's {@code
 * onConnect} runs; an authenticated one is kept with its subject as the connection attribute
 * {@value #SUBJECT_ATTRIBUTE}. {@link HmacTokens} is a ready one.
 *
 * <p>Runs on the app's handler executor; it may block briefly, or hand asynchronous work to
 * {@link ConnectContext#answerAfter}. A method that throws rejects the connect.
 */
@FunctionalInterface
public interface Authenticator {

  /** The connection attribute that holds the authenticated subject. */
  String SUBJECT_ATTRIBUTE = "user";

  /** The status a refused client is rejected with: 401 Unauthorized. */
  int REFUSED_STATUS = 401;

  /** Who the connecting client is, or why it is refused. */
  Authentication authenticate(ConnectContext context) throws Exception;
}
