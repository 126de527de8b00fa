package dev.jbert.core.io;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Turns "a model directory or a Hugging Face hub id" into a local directory, as {@code
 * from_pretrained} does.
 *
 * <ol>
 *   <li>An existing directory is returned as is.
 *   <li>Otherwise {@code ORG/NAME} (or {@code NAME}) is looked up in the hub cache ({@link HubCache}):
 *       {@code refs/main} names a snapshot, which is used if it holds {@code config.json} and complete
 *       weights. No network is touched then.
 *   <li>Otherwise the files are downloaded from {@code ENDPOINT/ORG/NAME/resolve/main/FILE} into that
 *       cache: {@code config.json} (required); {@code tokenizer.json}, {@code tokenizer_config.json},
 *       {@code vocab.txt}, {@code special_tokens_map.json} (each optional); the first weights that
 *       exist of {@link Checkpoints#WEIGHT_FILES}, with every shard an index names.
 * </ol>
 *
 * <p>The environment is explicit ({@link #HubResolver(URI, Path, String, boolean, DownloadProgress)});
 * {@link #fromEnvironment()} reads it the way {@code huggingface_hub} does.
 */
public final class HubResolver {

  /** The public hub. */
  public static final URI DEFAULT_ENDPOINT = URI.create("https://huggingface.co");

  static final List<String> OPTIONAL_FILES =
      List.of("tokenizer.json", "tokenizer_config.json", "vocab.txt", "special_tokens_map.json");

  private static final Pattern REPO_PART = Pattern.compile("[A-Za-z0-9]([A-Za-z0-9._-]{0,94}[A-Za-z0-9])?");

  private final URI endpoint;
  private final Path hubCache;
  private final boolean offline;
  private final HubDownloader downloader;

  /**
   * @param endpoint the hub, e.g. {@link #DEFAULT_ENDPOINT} or a mirror
   * @param hubCache the hub cache directory ({@code $HF_HOME/hub})
   * @param token sent as {@code Authorization: Bearer} to the endpoint (never to redirect targets); may be null
   * @param offline if true, never download: a model missing from the cache is an error
   * @param progress hears how each file's download goes ({@link DownloadProgress#NONE} for nothing)
   */
  public HubResolver(URI endpoint, Path hubCache, String token, boolean offline, DownloadProgress progress) {
    this.endpoint = endpoint;
    this.hubCache = hubCache;
    this.offline = offline;
    this.downloader = new HubDownloader(endpoint, token, progress);
  }

  /**
   * Reads the settings {@code huggingface_hub} uses: {@code HF_ENDPOINT} (default {@code
   * https://huggingface.co}); cache {@code HF_HUB_CACHE}, else {@code $HF_HOME/hub} with {@code
   * HF_HOME} defaulting to {@code $XDG_CACHE_HOME/huggingface} or {@code ~/.cache/huggingface};
   * token {@code HF_TOKEN}, else the file {@code $HF_HOME/token}; {@code HF_HUB_OFFLINE=1}.
   * Downloads are logged ({@link DownloadProgress#logging()}).
   */
  public static HubResolver fromEnvironment() throws IOException {
    return fromEnvironment(DownloadProgress.logging());
  }

  /** As {@link #fromEnvironment()}, with downloads reported to {@code progress}, e.g. a progress bar. */
  public static HubResolver fromEnvironment(DownloadProgress progress) throws IOException {
    return fromEnvironment(System.getenv(), Path.of(System.getProperty("user.home")), progress);
  }

  static HubResolver fromEnvironment(Map<String, String> env, Path userHome) throws IOException {
    return fromEnvironment(env, userHome, DownloadProgress.logging());
  }

  private static HubResolver fromEnvironment(Map<String, String> env, Path userHome, DownloadProgress progress) throws IOException {
    Path cacheHome = Optional.ofNullable(env.get("XDG_CACHE_HOME")).map(Path::of).orElse(userHome.resolve(".cache"));
    Path hfHome = Optional.ofNullable(env.get("HF_HOME")).map(Path::of).orElse(cacheHome.resolve("huggingface"));
    Path hubCache = Optional.ofNullable(env.get("HF_HUB_CACHE")).map(Path::of).orElse(hfHome.resolve("hub"));
    URI endpoint = URI.create(env.getOrDefault("HF_ENDPOINT", DEFAULT_ENDPOINT.toString()));
    String token = env.get("HF_TOKEN");
    Path tokenFile = hfHome.resolve("token");
    if ((token == null || token.isBlank()) && Files.isRegularFile(tokenFile)) {
      token = Files.readString(tokenFile, StandardCharsets.UTF_8).trim();
    }
    boolean offline = List.of("1", "on", "yes", "true")
        .contains(env.getOrDefault("HF_HUB_OFFLINE", "").toLowerCase(Locale.ROOT));
    return new HubResolver(endpoint, hubCache, token, offline, progress);
  }

  /** The hub this resolver downloads from. */
  public URI endpoint() {
    return endpoint;
  }

  /** Whether downloads are off. */
  public boolean offline() {
    return offline;
  }

  /** The hub cache directory in use. */
  public Path hubCache() {
    return hubCache;
  }

  /** Where a repository lives in the cache: {@code HUB_CACHE/models--ORG--NAME}. */
  public Path cacheDir(String repoId) {
    return new HubCache(hubCache, repoId).repoDir();
  }

  /** Whether the downloader has built its HTTP client (only a download does). */
  boolean downloaderConnected() {
    return downloader.connected();
  }

  /**
   * A local directory holding the model: {@code dirOrId} itself if it is a directory, else the
   * cached or freshly downloaded snapshot of hub model {@code dirOrId}.
   *
   * @throws HubException if it is neither, if the hub cannot be reached (the message says where to
   *     put the files instead), or if the hub lacks config or weights
   */
  public Path resolve(String dirOrId) throws IOException {
    if (dirOrId.isBlank()) {
      throw new HubException("'" + dirOrId + "' is neither an existing directory nor a Hugging Face model id (ORG/NAME)");
    }
    Optional<Path> local = asPath(dirOrId);
    if (local.isPresent() && Files.isDirectory(local.get())) {
      return local.get();
    }
    if (local.isPresent() && Files.exists(local.get())) {
      throw new HubException(dirOrId + " is a file; pass the model directory that holds config.json and the weights");
    }
    if (!isRepoId(dirOrId)) {
      throw new HubException("'" + dirOrId + "' is neither an existing directory nor a Hugging Face model id (ORG/NAME)");
    }
    HubCache cache = new HubCache(hubCache, dirOrId);
    Optional<Path> cached = cache.completeMainSnapshot();
    if (cached.isPresent()) {
      return cached.get();
    }
    if (offline) {
      throw new HubException(dirOrId + " is not in the hub cache and downloads are off (HF_HUB_OFFLINE); "
          + "put the model in " + cache.repoDir().resolve("snapshots") + "/<revision> (with refs/main naming it) "
          + "or pass a local directory");
    }
    try {
      return download(dirOrId, cache);
    } catch (HubDownloader.UnreachableException e) {
      throw new HubException("cannot reach " + endpoint + ": " + e.getMessage() + "; put the model in "
          + cache.repoDir().resolve("snapshots") + "/<revision> (with refs/main naming it) or pass a local directory", e);
    }
  }

  /** Whether {@code id} is {@code NAME} or {@code ORG/NAME} as the hub allows them. */
  static boolean isRepoId(String id) {
    String[] parts = id.split("/", -1);
    if (parts.length > 2 || id.contains("--") || id.contains("..")) {
      return false;
    }
    for (String part : parts) {
      if (!REPO_PART.matcher(part).matches()) {
        return false;
      }
    }
    return true;
  }

  private Path download(String repoId, HubCache cache) throws IOException {
    HubDownloader.Fetched config = downloader.fetch(repoId, "config.json", cache).orElseThrow(() -> new HubException(
        repoId + " has no config.json at " + endpoint + " (HTTP 404): is the model id right?"));
    String revision = config.commit().orElse("main"); // a server that names no commit: the branch name stands in
    cache.link(revision, "config.json", config.blobId());
    Path snapshot = cache.snapshotDir(revision);
    for (String file : OPTIONAL_FILES) {
      fetchInto(repoId, file, revision, cache);
    }
    String weights = fetchWeights(repoId, revision, cache);
    if (weights.endsWith(".index.json")) {
      for (String shard : ShardedCheckpoint.shardNames(snapshot.resolve(weights))) {
        if (!fetchInto(repoId, shard, revision, cache)) {
          throw new HubException(repoId + ": shard " + shard + " named in " + weights + " is missing at " + endpoint);
        }
      }
    }
    cache.setMainRevision(revision);
    return snapshot;
  }

  /** The first of {@link Checkpoints#WEIGHT_FILES} the hub has, now in the snapshot. */
  private String fetchWeights(String repoId, String revision, HubCache cache) throws IOException {
    for (String file : Checkpoints.WEIGHT_FILES) {
      if (fetchInto(repoId, file, revision, cache)) {
        return file;
      }
    }
    throw new HubException(repoId + " has no weights at " + endpoint + ": looked for " + String.join(", ", Checkpoints.WEIGHT_FILES));
  }

  /** Makes {@code file} part of the snapshot, downloading it unless already there; false on 404. */
  private boolean fetchInto(String repoId, String file, String revision, HubCache cache) throws IOException {
    if (Files.isRegularFile(cache.snapshotDir(revision).resolve(file))) {
      return true; // left by an earlier, interrupted download
    }
    Optional<HubDownloader.Fetched> fetched = downloader.fetch(repoId, file, cache);
    if (fetched.isEmpty()) {
      return false;
    }
    cache.link(revision, file, fetched.get().blobId());
    return true;
  }

  private static Optional<Path> asPath(String text) {
    try {
      return Optional.of(Path.of(text));
    } catch (InvalidPathException e) {
      return Optional.empty();
    }
  }
}
