package dev.jbert.core.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Hub resolution against a local fake hub: download into the cache layout, reuse offline, clear errors. */
@Timeout(60)
class HubResolverTest {

  private static final String ID = "test-org/tiny-random-bert";

  @TempDir Path cache;
  @TempDir Path work;

  private static URI unreachable() throws Exception {
    try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return URI.create("http://127.0.0.1:" + socket.getLocalPort()); // closed once we return: connection refused
    }
  }

  /** What a {@link DownloadProgress} heard, per file: its start, the last byte count, its end. */
  private static final class RecordedProgress implements DownloadProgress {
    final Map<String, List<String>> events = new LinkedHashMap<>();

    @Override
    public Transfer started(String repoId, String file, long totalBytes) {
      List<String> fileEvents = new ArrayList<>(List.of("start " + repoId + " " + file + " " + totalBytes, "at 0"));
      events.put(file, fileEvents);
      return new Transfer() {
        @Override
        public void advancedTo(long bytes) {
          fileEvents.set(1, "at " + bytes);
        }

        @Override
        public void close() {
          fileEvents.add("end");
        }
      };
    }
  }

  @Test
  void existingDirectoryIsReturnedAsIs() throws Exception {
    Path dir = SharedFixtures.model("tiny-random-bert");
    HubResolver resolver = new HubResolver(unreachable(), cache, null, false, DownloadProgress.NONE);
    assertEquals(dir, resolver.resolve(dir.toString()));
    assertFalse(resolver.downloaderConnected(), "a local folder needs no HTTP client (its TLS set-up costs start-up time)");
  }

  @Test
  void downloadsIntoTheHubCacheThenServesFromItWithoutNetwork() throws Exception {
    Path source = SharedFixtures.model("tiny-random-bert");
    Path snapshot;
    try (FakeHub hub = new FakeHub(Map.of(ID, source))) {
      RecordedProgress progress = new RecordedProgress();
      snapshot = new HubResolver(hub.endpoint(), cache, "secret", false, progress).resolve(ID);

      Path repo = cache.resolve("models--test-org--tiny-random-bert");
      assertEquals(repo.resolve("snapshots").resolve(FakeHub.COMMIT), snapshot);
      assertEquals(FakeHub.COMMIT, Files.readString(repo.resolve("refs/main")));
      for (String file : List.of("config.json", "tokenizer_config.json", "vocab.txt", "model.safetensors")) {
        Path entry = snapshot.resolve(file);
        assertTrue(Files.isSymbolicLink(entry), file);
        assertEquals(Path.of("..", "..", "blobs", FakeHub.sha256(source.resolve(file))), Files.readSymbolicLink(entry));
        assertArrayEquals(Files.readAllBytes(source.resolve(file)), Files.readAllBytes(entry), file);
      }
      assertFalse(Files.exists(snapshot.resolve("tokenizer.json")), "404 on an optional file is fine");
      try (Stream<Path> blobs = Files.list(repo.resolve("blobs"))) {
        assertEquals(4, blobs.count(), "four blobs, no temporary files left");
      }
      for (String file : List.of("config.json", "tokenizer_config.json", "vocab.txt", "model.safetensors")) {
        long size = Files.size(source.resolve(file));
        assertEquals(List.of("start " + ID + " " + file + " " + size, "at " + size, "end"), progress.events.get(file),
            "progress of " + file + ": announced size, bytes up to it, then closed");
      }
      assertEquals(4, progress.events.size(), "no progress for the files the hub does not have");
      assertTrue(hub.hubAuthorizations.stream().allMatch("Bearer secret"::equals), "token sent to the hub");
      assertEquals(List.of("-"), hub.cdnAuthorizations, "token never sent to the redirect target");
    }
    SharedFixtures.assertBitIdentical(Safetensors.read(SharedFixtures.tinySafetensors()), Checkpoints.read(snapshot));

    // the fake hub is gone: the cache alone answers, the network is never touched
    assertEquals(snapshot, new HubResolver(unreachable(), cache, null, false, DownloadProgress.NONE).resolve(ID));
    assertEquals(snapshot, new HubResolver(unreachable(), cache, null, true, DownloadProgress.NONE).resolve(ID));
  }

  @Test
  void resumesAnInterruptedDownloadFetchingOnlyWhatIsMissing() throws Exception {
    try (FakeHub hub = new FakeHub(Map.of(ID, SharedFixtures.model("tiny-random-bert")))) {
      HubResolver resolver = new HubResolver(hub.endpoint(), cache, null, false, DownloadProgress.NONE);
      Path snapshot = resolver.resolve(ID);
      Files.delete(snapshot.resolve("model.safetensors"));
      hub.hubRequests.clear();

      assertEquals(snapshot, resolver.resolve(ID));

      assertTrue(hub.hubRequests.contains("/" + ID + "/resolve/main/model.safetensors"), hub.hubRequests.toString());
      assertFalse(hub.hubRequests.contains("/" + ID + "/resolve/main/vocab.txt"), hub.hubRequests.toString());
      assertEquals(41, Checkpoints.read(snapshot).size());
    }
  }

  @Test
  void corruptDownloadIsRefusedAndLeavesNoBlob() throws Exception {
    try (FakeHub hub = new FakeHub(Map.of(ID, SharedFixtures.model("tiny-random-bert")))) {
      hub.wrongEtag = true;
      var e = assertThrows(HubException.class, () -> new HubResolver(hub.endpoint(), cache, null, false, DownloadProgress.NONE).resolve(ID));
      assertTrue(e.getMessage().contains("download of model.safetensors is corrupt"), e.getMessage());
      Path repo = cache.resolve("models--test-org--tiny-random-bert");
      try (Stream<Path> blobs = Files.list(repo.resolve("blobs"))) {
        assertEquals(3, blobs.count(), "config, tokenizer_config, vocab; nothing of the corrupt file");
      }
      assertFalse(Files.exists(repo.resolve("refs/main")), "an incomplete snapshot is never published");
    }
  }

  @Test
  void downloadsEveryShardOfAShardedModel() throws Exception {
    Path repoDir = work.resolve("repo");
    Files.createDirectories(repoDir);
    var original = ShardedCheckpointTest.writeTwoShards(repoDir);
    Files.copy(SharedFixtures.model("tiny-random-bert").resolve("config.json"), repoDir.resolve("config.json"));
    try (FakeHub hub = new FakeHub(Map.of("org/sharded", repoDir))) {
      Path snapshot = new HubResolver(hub.endpoint(), cache, null, false, DownloadProgress.NONE).resolve("org/sharded");

      assertTrue(Files.isRegularFile(snapshot.resolve("model-00002-of-00002.safetensors")));
      SharedFixtures.assertBitIdentical(original, Checkpoints.read(snapshot));
    }
  }

  @Test
  void shardNamesFromTheHubCannotEscapeTheCache() throws Exception {
    Path repoDir = work.resolve("repo");
    Files.createDirectories(repoDir);
    Files.copy(SharedFixtures.model("tiny-random-bert").resolve("config.json"), repoDir.resolve("config.json"));
    ShardedCheckpointTest.writeIndex(repoDir.resolve("model.safetensors.index.json"), Map.of("w", "../../../../evil"));
    try (FakeHub hub = new FakeHub(Map.of("org/evil", repoDir))) {
      var e = assertThrows(CheckpointException.class,
          () -> new HubResolver(hub.endpoint(), cache, null, false, DownloadProgress.NONE).resolve("org/evil"));
      assertTrue(e.getMessage().contains("not a plain file name"), e.getMessage());
    }
  }

  @Test
  void unreachableEndpointSaysWhereToPutTheModel() throws Exception {
    URI endpoint = unreachable();
    var e = assertThrows(HubException.class, () -> new HubResolver(endpoint, cache, null, false, DownloadProgress.NONE).resolve(ID));
    String expectedDir = cache.resolve("models--test-org--tiny-random-bert").resolve("snapshots").toString();
    assertTrue(e.getMessage().startsWith("cannot reach " + endpoint + ": "), e.getMessage());
    assertTrue(e.getMessage().contains("put the model in " + expectedDir), e.getMessage());
    assertTrue(e.getMessage().endsWith("or pass a local directory"), e.getMessage());
  }

  @Test
  void offlineModeNeverDownloads() throws Exception {
    try (FakeHub hub = new FakeHub(Map.of(ID, SharedFixtures.model("tiny-random-bert")))) {
      var e = assertThrows(HubException.class, () -> new HubResolver(hub.endpoint(), cache, null, true, DownloadProgress.NONE).resolve(ID));
      assertTrue(e.getMessage().contains("HF_HUB_OFFLINE"), e.getMessage());
      assertEquals(List.of(), hub.hubRequests);
    }
  }

  @Test
  void unknownModelIsReported() throws Exception {
    try (FakeHub hub = new FakeHub(Map.of())) {
      var e = assertThrows(HubException.class,
          () -> new HubResolver(hub.endpoint(), cache, null, false, DownloadProgress.NONE).resolve("nobody/nothing"));
      assertTrue(e.getMessage().contains("nobody/nothing has no config.json at " + hub.endpoint()), e.getMessage());
    }
  }

  @Test
  void modelWithoutWeightsIsReported() throws Exception {
    Path repoDir = Files.createDirectories(work.resolve("repo"));
    Files.copy(SharedFixtures.model("tiny-random-bert").resolve("config.json"), repoDir.resolve("config.json"));
    try (FakeHub hub = new FakeHub(Map.of("org/empty", repoDir))) {
      var e = assertThrows(HubException.class, () -> new HubResolver(hub.endpoint(), cache, null, false, DownloadProgress.NONE).resolve("org/empty"));
      assertTrue(e.getMessage().contains("org/empty has no weights"), e.getMessage());
    }
  }

  @Test
  void textThatIsNeitherDirectoryNorIdIsRefused() throws Exception {
    HubResolver resolver = new HubResolver(unreachable(), cache, null, false, DownloadProgress.NONE);
    for (String bad : List.of("./no/such/dir", "a/b/c", "org/../etc", "bad--name", "")) {
      var e = assertThrows(HubException.class, () -> resolver.resolve(bad), bad);
      assertTrue(e.getMessage().contains("neither an existing directory nor a Hugging Face model id"), e.getMessage());
    }
    Path file = Files.writeString(work.resolve("config.json"), "{}");
    var e = assertThrows(HubException.class, () -> resolver.resolve(file.toString()));
    assertTrue(e.getMessage().contains("is a file"), e.getMessage());
  }

  @Test
  void environmentIsReadLikeHuggingfaceHub() throws Exception {
    Path home = work.resolve("home");
    assertEquals(home.resolve(".cache/huggingface/hub"), HubResolver.fromEnvironment(Map.of(), home).hubCache());
    assertEquals(Path.of("/xdg/huggingface/hub"), HubResolver.fromEnvironment(Map.of("XDG_CACHE_HOME", "/xdg"), home).hubCache());
    assertEquals(Path.of("/hf/hub"), HubResolver.fromEnvironment(Map.of("HF_HOME", "/hf"), home).hubCache());
    assertEquals(Path.of("/cache"), HubResolver.fromEnvironment(Map.of("HF_HOME", "/hf", "HF_HUB_CACHE", "/cache"), home).hubCache());
    HubResolver custom = HubResolver.fromEnvironment(Map.of("HF_ENDPOINT", "http://mirror.example", "HF_HUB_OFFLINE", "1"), home);
    assertEquals(URI.create("http://mirror.example"), custom.endpoint());
    assertTrue(custom.offline());
    assertEquals(HubResolver.DEFAULT_ENDPOINT, HubResolver.fromEnvironment(Map.of(), home).endpoint());
  }

  @Test
  void tokenComesFromHfTokenOrTheTokenFile() throws Exception {
    Path hfHome = Files.createDirectories(work.resolve("hf"));
    Files.writeString(hfHome.resolve("token"), "from-file\n");
    try (FakeHub hub = new FakeHub(Map.of(ID, SharedFixtures.model("tiny-random-bert")))) {
      Map<String, String> env = Map.of("HF_HOME", hfHome.toString(), "HF_ENDPOINT", hub.endpoint().toString());
      HubResolver.fromEnvironment(env, work).resolve(ID);
      assertEquals("Bearer from-file", hub.hubAuthorizations.get(0));
    }
  }
}
