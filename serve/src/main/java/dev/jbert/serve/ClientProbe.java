package dev.jbert.serve;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import org.eclipse.jetty.ee10.servlet.ServletContextRequest;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.io.SocketChannelEndPoint;

/**
 * Tells whether the client of an HTTP/1.1 request is still connected, so that the batcher drops the
 * work of a client that went away instead of computing it.
 *
 * <p>Why a probe: while a request is being handled, Jetty does not read its connection, so it learns
 * of a closed connection only when it writes the response. The probe reads the socket without
 * blocking: end of stream or an error means the client is gone; nothing to read means it is waiting.
 * A client that sends another request before this one is answered (HTTP pipelining, which browsers
 * and the usual client libraries do not do) would lose the byte read here, so such a connection is
 * closed after its response ({@link #consumedInput()}), and the client retries on a new one.
 *
 * <p>Only call {@link #clientGone()} while the request's response has not started: the caller
 * ({@link Job}) guarantees it.
 */
final class ClientProbe {

  private final SocketChannel channel;
  private volatile boolean consumedInput;

  private ClientProbe(SocketChannel channel) {
    this.channel = channel;
  }

  /** A probe of the request's connection, or null when it is not a plain TCP connection. */
  static ClientProbe of(jakarta.servlet.http.HttpServletRequest request) {
    try {
      EndPoint endPoint = ServletContextRequest.getServletContextRequest(request)
          .getConnectionMetaData().getConnection().getEndPoint();
      if (endPoint instanceof SocketChannelEndPoint socket && !socket.getChannel().isBlocking()) {
        return new ClientProbe(socket.getChannel());
      }
    } catch (IllegalStateException e) {
      // not a Jetty servlet request: no probe
    }
    return null;
  }

  /** True when the client closed or reset the connection. */
  boolean clientGone() {
    try {
      int n = channel.read(ByteBuffer.allocate(1));
      if (n > 0) {
        consumedInput = true;
      }
      return n < 0;
    } catch (IOException e) {
      return true;
    }
  }

  /** Whether the probe read a byte of a pipelined request; the connection must then be closed. */
  boolean consumedInput() {
    return consumedInput;
  }
}
