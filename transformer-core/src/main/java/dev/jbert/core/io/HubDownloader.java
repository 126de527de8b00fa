package dev.jbert.core.io;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Fetches {@code ENDPOINT/ORG/NAME/resolve/main/FILE} into a {@link HubCache}'s blobs: follows up
 * to 10 redirects (sending the token only to the endpoint itself, never to the CDN it redirects
 * to), streams the body to a temporary name telling a {@link DownloadProgress} how far it got, checks
 * its length, and renames it to its blob id.
 */
final class HubDownloader {

  /** The endpoint could not be reached at all (offline, DNS, refused, timed out). */
  static final class UnreachableException extends IOException {
    private static final long serialVersionUID = 1L;

    UnreachableException(Throwable cause) {
      super(cause.toString(), cause);
    }
  }

  /**
   * A file now in the blobs.
   *
   * @param blobId its name under {@code blobs/}
   * @param commit the commit the hub says {@code main} is at ({@code X-Repo-Commit}), if it said
   */
  record Fetched(String blobId, Optional<String> commit) {}

  private static final int MAX_REDIRECTS = 10;
  private static final Pattern ETAG = Pattern.compile("[A-Za-z0-9_-]{8,128}");
  private static final Pattern COMMIT = Pattern.compile("[0-9a-f]{40}");
  private static final Pattern SHA256_HEX = Pattern.compile("[0-9a-fA-F]{64}");

  private final URI endpoint;
  private final String token;
  private final DownloadProgress progress;
  private HttpClient client;                   // built by the first download

  HubDownloader(URI endpoint, String token, DownloadProgress progress) {
    this.endpoint = endpoint;
    this.token = token;
    this.progress = Objects.requireNonNull(progress, "progress");
  }

  /**
   * The HTTP client, built when first needed: building one initialises the JDK's TLS stack, which
   * a `jbert predict` on a local model folder (which never downloads) paid at start-up: its class
   * loading from the command's start to ND4J's took 527-764 ms with the client built eagerly and
   * 323-382 ms without (three runs each, `-Xlog:class+load`).
   */
  private synchronized HttpClient client() {
    if (client == null) {
      client = HttpClient.newBuilder()
          .followRedirects(HttpClient.Redirect.NEVER) // followed by hand, to drop the token on other hosts
          .connectTimeout(Duration.ofSeconds(15))
          .build();
    }
    return client;
  }

  /** Whether the HTTP client has been built. */
  synchronized boolean connected() {
    return client != null;
  }

  /** The URL of one file of a repository at revision main. */
  URI fileUri(String repoId, String file) {
    String base = endpoint.toString().replaceAll("/+$", "");
    return URI.create(base + "/" + repoId + "/resolve/main/" + URLEncoder.encode(file, StandardCharsets.UTF_8).replace("+", "%20"));
  }

  /** Downloads one file into {@code cache}'s blobs; empty if the hub says it does not exist (404). */
  Optional<Fetched> fetch(String repoId, String file, HubCache cache) throws IOException {
    URI uri = fileUri(repoId, file);
    HttpResponse<InputStream> response;
    Optional<String> commit = Optional.empty();
    Optional<String> etag = Optional.empty();
    for (int hop = 0; ; hop++) {
      HttpResponse<InputStream> current = send(uri);
      response = current;
      if (hop == 0) { // the hub's own answer carries the metadata; a CDN's does not
        commit = current.headers().firstValue("X-Repo-Commit").filter(c -> COMMIT.matcher(c).matches());
        etag = current.headers().firstValue("X-Linked-Etag").or(() -> current.headers().firstValue("ETag"))
            .map(HubDownloader::plainEtag).filter(e -> ETAG.matcher(e).matches());
      }
      Optional<String> location = response.headers().firstValue("Location");
      if (!isRedirect(response.statusCode()) || location.isEmpty()) {
        break;
      }
      response.body().close();
      if (hop == MAX_REDIRECTS) {
        throw new HubException("GET " + fileUri(repoId, file) + ": more than " + MAX_REDIRECTS + " redirects");
      }
      uri = uri.resolve(location.get());
    }
    int status = response.statusCode();
    if (status == 404) {
      response.body().close();
      return Optional.empty();
    }
    if (status != 200) {
      response.body().close();
      String hint = status == 401 || status == 403
          ? "; the model may not exist, or be gated or private: check the id, or set HF_TOKEN" : "";
      throw new HubException("GET " + uri + " failed with HTTP " + status + hint);
    }
    if (etag.isPresent() && cache.hasBlob(etag.get())) {
      response.body().close(); // same content already cached, e.g. under another revision
      return Optional.of(new Fetched(etag.get(), commit));
    }
    Files.createDirectories(cache.blobsDir());
    Path download = AtomicFiles.temporarySibling(cache.blobsDir().resolve(file + ".incomplete"));
    try {
      String sha256 = copyBody(response, download, repoId, file);
      if (etag.isPresent() && SHA256_HEX.matcher(etag.get()).matches() && !etag.get().equalsIgnoreCase(sha256)) {
        // the hub's ETag of a large (LFS) file is its SHA-256: a mismatch means a corrupted transfer
        throw new HubException("download of " + file + " is corrupt: SHA-256 " + sha256 + ", the hub says " + etag.get());
      }
      String blobId = etag.orElse(sha256);
      cache.storeBlob(download, blobId);
      return Optional.of(new Fetched(blobId, commit));
    } finally {
      Files.deleteIfExists(download);
    }
  }

  private HttpResponse<InputStream> send(URI uri) throws IOException {
    HttpRequest.Builder request = HttpRequest.newBuilder(uri).GET()
        .timeout(Duration.ofSeconds(60))
        .header("User-Agent", "jbert");
    if (token != null && !token.isBlank() && sameOrigin(uri, endpoint)) {
      request.header("Authorization", "Bearer " + token);
    }
    try {
      return client().send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while fetching " + uri);
    } catch (IOException e) {
      throw new UnreachableException(e);
    }
  }

  /** Streams the body to {@code target}; returns its SHA-256; fails if it is shorter than announced. */
  private String copyBody(HttpResponse<InputStream> response, Path target, String repoId, String file) throws IOException {
    long announced = response.headers().firstValueAsLong("Content-Length").orElse(-1);
    MessageDigest sha256 = sha256();
    long received = 0;
    try (InputStream body = response.body();
        OutputStream out = Files.newOutputStream(target, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        DownloadProgress.Transfer transfer = progress.started(repoId, file, announced)) {
      byte[] buffer = new byte[1 << 16];
      for (int n; (n = readSome(body, buffer, file, received)) >= 0; ) {
        out.write(buffer, 0, n);
        sha256.update(buffer, 0, n);
        received += n;
        transfer.advancedTo(received);
      }
    }
    if (announced >= 0 && received != announced) {
      throw new HubException("download of " + file + " stopped after " + received + " of " + announced + " bytes");
    }
    return HexFormat.of().formatHex(sha256.digest());
  }

  /** One read of the body; a dropped connection becomes a message saying how far it got. */
  private static int readSome(InputStream body, byte[] buffer, String file, long received) throws HubException {
    try {
      return body.read(buffer);
    } catch (IOException e) {
      throw new HubException("download of " + file + " broke off after " + received + " bytes: " + e, e);
    }
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
  }

  private static boolean isRedirect(int status) {
    return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
  }

  private static boolean sameOrigin(URI a, URI b) {
    return Objects.equals(a.getScheme(), b.getScheme()) && Objects.equals(a.getHost(), b.getHost())
        && effectivePort(a) == effectivePort(b);
  }

  private static int effectivePort(URI uri) {
    return uri.getPort() >= 0 ? uri.getPort() : "https".equals(uri.getScheme()) ? 443 : 80;
  }

  /** {@code W/"abc"} → {@code abc}. */
  private static String plainEtag(String etag) {
    return etag.replaceFirst("^W/", "").replace("\"", "");
  }
}
