package dev.jbert.core.io;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A local stand-in for the Hugging Face hub on 127.0.0.1: {@code /ORG/NAME/resolve/main/FILE}
 * serves files of a directory (404 when absent) with {@code X-Repo-Commit}; {@code .safetensors}
 * files are redirected, as the real hub does, to a second server (another origin, like the CDN)
 * with {@code X-Linked-Etag} = their SHA-256.
 */
final class FakeHub implements AutoCloseable {

  static final String COMMIT = "0123456789abcdef0123456789abcdef01234567";
  private static final Pattern RESOLVE = Pattern.compile("/([^/]+/[^/]+)/resolve/main/([^/]+)");
  private static final Pattern CDN = Pattern.compile("/blobs/([^/]+/[^/]+)/([^/]+)");

  private final Map<String, Path> repos;
  private final HttpServer hub;
  private final HttpServer cdn;
  /** Paths asked of the hub, in order. */
  final List<String> hubRequests = Collections.synchronizedList(new ArrayList<>());
  /** The Authorization header of every hub / CDN request ("-" when absent). */
  final List<String> hubAuthorizations = Collections.synchronizedList(new ArrayList<>());
  final List<String> cdnAuthorizations = Collections.synchronizedList(new ArrayList<>());
  /** When set, the hub announces a wrong SHA-256 for large files, as if the transfer were corrupted. */
  volatile boolean wrongEtag;

  FakeHub(Map<String, Path> repos) throws IOException {
    this.repos = repos;
    this.hub = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    this.cdn = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    hub.createContext("/", this::serveHub);
    cdn.createContext("/", this::serveCdn);
    hub.start();
    cdn.start();
  }

  URI endpoint() {
    return URI.create("http://127.0.0.1:" + hub.getAddress().getPort());
  }

  private void serveHub(HttpExchange exchange) throws IOException {
    String path = exchange.getRequestURI().getPath();
    hubRequests.add(path);
    hubAuthorizations.add(authorization(exchange));
    Matcher m = RESOLVE.matcher(path);
    Path file = m.matches() && repos.containsKey(m.group(1)) ? repos.get(m.group(1)).resolve(m.group(2)) : null;
    if (file == null || !Files.isRegularFile(file)) {
      send(exchange, 404, "Entry not found".getBytes());
      return;
    }
    exchange.getResponseHeaders().add("X-Repo-Commit", COMMIT);
    if (file.getFileName().toString().endsWith(".safetensors")) {
      String etag = wrongEtag ? "0".repeat(64) : sha256(file);
      exchange.getResponseHeaders().add("X-Linked-Etag", "\"" + etag + "\"");
      exchange.getResponseHeaders().add("Location",
          "http://127.0.0.1:" + cdn.getAddress().getPort() + "/blobs/" + m.group(1) + "/" + m.group(2));
      exchange.sendResponseHeaders(302, -1);
      exchange.close();
      return;
    }
    send(exchange, 200, Files.readAllBytes(file));
  }

  private void serveCdn(HttpExchange exchange) throws IOException {
    cdnAuthorizations.add(authorization(exchange));
    Matcher m = CDN.matcher(exchange.getRequestURI().getPath());
    Path file = m.matches() && repos.containsKey(m.group(1)) ? repos.get(m.group(1)).resolve(m.group(2)) : null;
    if (file == null || !Files.isRegularFile(file)) {
      send(exchange, 404, new byte[0]);
      return;
    }
    send(exchange, 200, Files.readAllBytes(file));
  }

  private static String authorization(HttpExchange exchange) {
    String value = exchange.getRequestHeaders().getFirst("Authorization");
    return value == null ? "-" : value;
  }

  private static void send(HttpExchange exchange, int status, byte[] body) throws IOException {
    exchange.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(body);
    }
  }

  static String sha256(Path file) throws IOException {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new AssertionError(e);
    }
  }

  @Override
  public void close() {
    hub.stop(0);
    cdn.stop(0);
  }
}
