package dev.jbert.core.io;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * One model repository in the Hugging Face hub cache, laid out as {@code huggingface_hub} does so
 * that both share it:
 *
 * <pre>
 * HUB_CACHE/models--ORG--NAME/blobs/ID               file contents, ID = ETag or SHA-256
 *                            /snapshots/REV/FILE     relative symlink ../../blobs/ID (a copy where
 *                                                    symlinks are not allowed)
 *                            /refs/main              REV, the revision "main" points to
 * </pre>
 */
final class HubCache {

  private static final Pattern REVISION = Pattern.compile("[A-Za-z0-9._-]{1,128}");

  private final Path repoDir;

  HubCache(Path hubCache, String repoId) {
    this.repoDir = hubCache.resolve("models--" + repoId.replace("/", "--"));
  }

  /** {@code HUB_CACHE/models--ORG--NAME}. */
  Path repoDir() {
    return repoDir;
  }

  Path blobsDir() {
    return repoDir.resolve("blobs");
  }

  Path snapshotDir(String revision) {
    return repoDir.resolve("snapshots").resolve(revision);
  }

  /** The revision {@code refs/main} names, if it exists and is a plain name. */
  Optional<String> mainRevision() throws IOException {
    Path ref = repoDir.resolve("refs").resolve("main");
    if (!Files.isRegularFile(ref)) {
      return Optional.empty();
    }
    String revision = Files.readString(ref, StandardCharsets.UTF_8).trim();
    return isRevision(revision) ? Optional.of(revision) : Optional.empty();
  }

  /** Points {@code refs/main} at {@code revision} (atomically). */
  void setMainRevision(String revision) throws IOException {
    Path ref = repoDir.resolve("refs").resolve("main");
    Files.createDirectories(ref.getParent());
    AtomicFiles.writeString(ref, revision);
  }

  /**
   * The snapshot {@code refs/main} names, if it holds {@code config.json} and complete weights (one
   * of {@link Checkpoints#WEIGHT_FILES}, with every shard of an index).
   */
  Optional<Path> completeMainSnapshot() throws IOException {
    Optional<String> revision = mainRevision();
    if (revision.isEmpty()) {
      return Optional.empty();
    }
    Path snapshot = snapshotDir(revision.get());
    return isComplete(snapshot) ? Optional.of(snapshot) : Optional.empty();
  }

  static boolean isComplete(Path snapshot) throws IOException {
    if (!Files.isRegularFile(snapshot.resolve("config.json"))) { // follows the symlink: a dangling one is absent
      return false;
    }
    Path weights;
    try {
      weights = Checkpoints.weightFile(snapshot);
    } catch (CheckpointException e) {
      return false;
    }
    if (weights.getFileName().toString().endsWith(".index.json")) {
      for (String shard : ShardedCheckpoint.shardNames(weights)) {
        if (!Files.isRegularFile(snapshot.resolve(shard))) {
          return false;
        }
      }
    }
    return true;
  }

  /** Makes {@code snapshots/REV/fileName} refer to blob {@code blobId}. */
  void link(String revision, String fileName, String blobId) throws IOException {
    Path snapshot = snapshotDir(revision);
    Files.createDirectories(snapshot);
    Path entry = snapshot.resolve(fileName);
    Path tmp = AtomicFiles.temporarySibling(entry);
    try {
      Files.createSymbolicLink(tmp, Path.of("..", "..", "blobs", blobId));
    } catch (UnsupportedOperationException | FileSystemException e) {
      Files.copy(blobsDir().resolve(blobId), tmp); // e.g. Windows without developer mode
    }
    try {
      AtomicFiles.publish(tmp, entry);
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  /** Moves a finished download into {@code blobs/blobId}. */
  void storeBlob(Path download, String blobId) throws IOException {
    AtomicFiles.sync(download);
    AtomicFiles.publish(download, blobsDir().resolve(blobId));
  }

  boolean hasBlob(String blobId) {
    return Files.isRegularFile(blobsDir().resolve(blobId));
  }

  static boolean isRevision(String revision) {
    return REVISION.matcher(revision).matches() && !revision.equals(".") && !revision.equals("..");
  }
}
