package dev.jbert.core.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbert.core.config.BertConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The one atomic-write helper, and the writers that use it. */
class AtomicFilesTest {

  @TempDir Path tmp;

  private List<String> names(Path dir) throws Exception {
    try (Stream<Path> files = Files.list(dir)) {
      return files.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  @Test
  void writesCreateParentsKeepDefaultPermissionsAndLeaveNoTemporaryFile() throws Exception {
    Path file = tmp.resolve("a/b/metrics.json");
    AtomicFiles.writeString(file, "{}");
    AtomicFiles.writeString(file, "{\"x\": 1}");
    assertEquals("{\"x\": 1}", Files.readString(file));
    assertEquals(List.of("metrics.json"), names(file.getParent()));
    Path plain = Files.writeString(tmp.resolve("plain"), "");
    if (Files.getFileStore(tmp).supportsFileAttributeView("posix")) {
      Set<PosixFilePermission> expected = Files.getPosixFilePermissions(plain);
      assertEquals(expected, Files.getPosixFilePermissions(file), "the umask's permissions, not createTempFile's 0600");
    }
  }

  /**
   * {@code config.json} used a fixed temporary name ({@code config.json.tmp}): two writers at once
   * (e.g. a run saving the best model while another process saves into the same folder) broke each
   * other's rename, and a file of that name was overwritten.
   */
  @Test
  void configSavesUseFreshTemporaryNames() throws Exception {
    BertConfig config = BertConfig.load(SharedFixtures.model("tiny-random-bert").resolve("config.json"));
    Path file = tmp.resolve("config.json");
    Path bystander = Files.writeString(tmp.resolve("config.json.tmp"), "someone else's file");
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try {
      List<Future<?>> writers = new ArrayList<>();
      for (int t = 0; t < 2; t++) {
        writers.add(pool.submit(() -> {
          for (int i = 0; i < 200; i++) {
            config.save(file);
          }
          return null;
        }));
      }
      for (Future<?> w : writers) {
        w.get();
      }
    } finally {
      pool.shutdownNow();
    }
    assertEquals(config.vocabSize(), BertConfig.load(file).vocabSize());
    assertEquals("someone else's file", Files.readString(bystander));
    assertEquals(List.of("config.json", "config.json.tmp"), names(tmp));
  }

  @Test
  void replaceDirectorySwapsAWholeFolderAndFinishesAnInterruptedSwap() throws Exception {
    Path target = Files.createDirectories(tmp.resolve("out"));
    Files.writeString(target.resolve("old.txt"), "old");
    Path staged = Files.createDirectories(tmp.resolve("out.partial"));
    Files.writeString(staged.resolve("new.txt"), "new");
    Path aside = tmp.resolve("out.replaced");

    AtomicFiles.replaceDirectory(staged, target, aside);
    assertEquals(List.of("new.txt"), names(target));
    assertFalse(Files.exists(staged));
    assertFalse(Files.exists(aside));

    // Interrupted between the renames: only the old folder (aside) and the new one (staged) exist.
    Files.move(target, aside);
    Path next = Files.createDirectories(tmp.resolve("out.partial"));
    Files.writeString(next.resolve("newer.txt"), "newer");
    AtomicFiles.replaceDirectory(next, target, aside);
    assertEquals(List.of("newer.txt"), names(target));
    assertEquals(List.of("out"), names(tmp));
  }

  @Test
  void deleteTreeRemovesSymlinksNotTheirTargets() throws Exception {
    Path keep = Files.createDirectories(tmp.resolve("keep"));
    Files.writeString(keep.resolve("data.csv"), "x");
    Path dir = Files.createDirectories(tmp.resolve("dir/sub"));
    Files.writeString(dir.resolve("f"), "y");
    Files.createSymbolicLink(tmp.resolve("dir/link"), keep);
    AtomicFiles.deleteTree(tmp.resolve("dir"));
    assertFalse(Files.exists(tmp.resolve("dir")));
    assertTrue(Files.exists(keep.resolve("data.csv")));
    AtomicFiles.deleteTree(tmp.resolve("missing")); // nothing to do
  }
}
