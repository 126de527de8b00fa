package dev.jbert.core.io;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbert.core.io.PickleBuilder.Tensor;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hostile or damaged {@code pytorch_model.bin} files: refused with a {@link CheckpointException}
 * naming the file and the problem, quickly, with nothing executed and nothing large allocated.
 */
@Timeout(10)
class PytorchBinHostileTest {

  @TempDir Path tmp;

  private static final Map<String, byte[]> ONE_STORAGE = Map.of("0", SafetensorsFiles.floats(1, 2));

  private CheckpointException refused(byte[] fileBytes, String... fragments) throws Exception {
    Path file = Files.write(tmp.resolve("pytorch_model.bin"), fileBytes);
    CheckpointException e = assertThrows(CheckpointException.class, () -> PytorchBin.read(file));
    assertTrue(e.getMessage().startsWith(file.toString()), e.getMessage());
    for (String fragment : fragments) {
      assertTrue(e.getMessage().contains(fragment), "'" + fragment + "' missing from: " + e.getMessage());
    }
    return e;
  }

  private CheckpointException refusedPickle(byte[] pickle, String... fragments) throws Exception {
    return refused(TorchZip.zip(TorchZip.entries(pickle, ONE_STORAGE)), fragments);
  }

  private CheckpointException refusedStateDict(List<Tensor> tensors, Map<String, byte[]> storages, String... fragments)
      throws Exception {
    return refused(TorchZip.zip(TorchZip.entries(PickleBuilder.stateDict(tensors), storages)), fragments);
  }

  @Test
  void globalOsSystemIsRefusedByName() throws Exception {
    byte[] pickle = new PickleBuilder().proto().global("os", "system").str("touch /tmp/pwned").op(0x85).reduce().stop().bytes();
    refusedPickle(pickle, "global 'os.system'", "not allowed");
  }

  @Test
  void globalBuiltinsEvalIsRefusedByName() throws Exception {
    byte[] pickle = new PickleBuilder().proto().global("builtins", "eval").str("1+1").op(0x85).reduce().stop().bytes();
    refusedPickle(pickle, "global 'builtins.eval'");
  }

  @Test
  void stackGlobalIsCheckedToo() throws Exception {
    byte[] pickle = new PickleBuilder().proto().str("posix").str("system").op(0x93).stop().bytes();
    refusedPickle(pickle, "global 'posix.system'");
  }

  @Test
  void globalInsideATensorDefinitionIsRefused() throws Exception {
    // a real-looking state dict whose storage type is swapped for a dangerous callable
    byte[] pickle = PickleBuilder.stateDict(List.of(Tensor.contiguous("w", "FloatStorage", "0", 2)));
    String text = new String(pickle, StandardCharsets.ISO_8859_1).replace("torch\nFloatStorage\n", "subprocess\nPopen\n");
    refusedPickle(text.getBytes(StandardCharsets.ISO_8859_1), "global 'subprocess.Popen'");
  }

  @Test
  void callingAnAllowedNonFunctionIsRefused() throws Exception {
    byte[] pickle = new PickleBuilder().proto().global("torch", "FloatStorage").emptyTuple().reduce().stop().bytes();
    refusedPickle(pickle, "calls torch.FloatStorage");
  }

  @Test
  void opcodesOutsideTheAllowedSetAreRefused() throws Exception {
    byte[] inst = new PickleBuilder().proto().mark().raw("ios\nsystem\n".getBytes(StandardCharsets.US_ASCII)).stop().bytes();
    refusedPickle(inst, "unsupported pickle opcode 0x69 ('i')", "byte 3");
  }

  @Test
  void truncatedPickle() throws Exception {
    byte[] pickle = PickleBuilder.stateDict(List.of(Tensor.contiguous("w", "FloatStorage", "0", 2)));
    refusedPickle(Arrays.copyOf(pickle, pickle.length - 1), "pickle ends early"); // STOP cut off
    int insideString = new String(pickle, StandardCharsets.ISO_8859_1).indexOf("storage") + 3;
    refusedPickle(Arrays.copyOf(pickle, insideString), "string of 7 bytes runs past the end of the pickle");
  }

  @Test
  void stackUnderflow() throws Exception {
    refusedPickle(new PickleBuilder().proto().reduce().stop().bytes(), "stack underflow");
  }

  @Test
  void memoKeyNeverStored() throws Exception {
    refusedPickle(new PickleBuilder().proto().op('h').op(5).stop().bytes(), "memo key 5 was never stored");
  }

  @Test
  void stringLongerThanThePickle() throws Exception {
    byte[] pickle = new PickleBuilder().proto().op('X').u32(0xfffffff0L).stop().bytes();
    refusedPickle(pickle, "string of 4294967280 bytes runs past the end");
  }

  @Test
  void endlessPickleIsCutOffBeforeItAllocatesMuch() throws Exception {
    byte[] pickle = new byte[PickleMachine.MAX_OPCODES + 10];
    Arrays.fill(pickle, (byte) '}'); // EMPTY_DICT, two million times
    refusedPickle(pickle, "more than 2000000 opcodes");
  }

  @Test
  void oversizedPickleIsNotRead() throws Exception {
    refusedPickle(new byte[(int) PytorchBin.MAX_PICKLE_BYTES + 1], "data.pkl claims 16777217 bytes");
  }

  @Test
  void selfContainingListAsDictKeyIsRefusedNotHashed() throws Exception {
    // d = {}; l = []; l.append(l); d[l] = 1  -- hashing l would recurse forever
    byte[] pickle = new PickleBuilder().proto().op('}').op(']').op('q').op(0).op('h').op(0).op('a').integer(1).op('s')
        .stop().bytes();
    refusedPickle(pickle, "not hashable");
  }

  @Test
  void pickleThatIsNotAStateDict() throws Exception {
    refusedPickle(new PickleBuilder().proto().integer(7).stop().bytes(), "holds 7, not a state dict");
  }

  @Test
  void stateDictValueThatIsNotATensor() throws Exception {
    byte[] pickle = new PickleBuilder().proto().op('}').str("w").integer(3).op('s').stop().bytes();
    refusedPickle(pickle, "entry str 'w' is 3, not a tensor");
  }

  @Test
  void entryNameClimbingOutOfTheArchive() throws Exception {
    var entries = TorchZip.entries(PickleBuilder.stateDict(List.of(Tensor.contiguous("w", "FloatStorage", "0", 2))), ONE_STORAGE);
    entries.put("archive/../../evil.sh", "rm -rf ~".getBytes());
    refused(TorchZip.zip(entries), "zip entry 'archive/../../evil.sh' points outside the archive");
  }

  @Test
  void absoluteEntryName() throws Exception {
    var entries = TorchZip.entries(PickleBuilder.stateDict(List.of(Tensor.contiguous("w", "FloatStorage", "0", 2))), ONE_STORAGE);
    entries.put("/etc/cron.d/evil", new byte[1]);
    refused(TorchZip.zip(entries), "zip entry '/etc/cron.d/evil' points outside the archive");
  }

  @Test
  void storageKeyThatIsAPath() throws Exception {
    refusedStateDict(List.of(Tensor.contiguous("w", "FloatStorage", "../0", 2)), ONE_STORAGE, "storage key '../0' is not a plain name");
  }

  @Test
  void missingStorageEntry() throws Exception {
    refusedStateDict(List.of(Tensor.contiguous("w", "FloatStorage", "7", 2)), ONE_STORAGE,
        "tensor 'w': storage entry 'archive/data/7' is missing");
  }

  @Test
  void storageEntryTooSmallForItsDeclaredSize() throws Exception {
    refusedStateDict(List.of(Tensor.contiguous("w", "FloatStorage", "0", 3)), ONE_STORAGE,
        "tensor 'w'", "holds 8 bytes, but the pickle declares 3 F32 elements (12 bytes)");
  }

  @Test
  void viewReachingPastItsStorage() throws Exception {
    refusedStateDict(List.of(new Tensor("w", "FloatStorage", "0", 2, 1, new long[] {2}, new long[] {1})), ONE_STORAGE,
        "tensor 'w'", "reach element 2 of a storage of 2");
  }

  @Test
  void hugeDeclaredStorageIsRefusedBeforeAllocating() throws Exception {
    refusedStateDict(List.of(new Tensor("w", "FloatStorage", "0", 1L << 40, 0, new long[] {2}, new long[] {1})), ONE_STORAGE,
        "declares 1099511627776 elements");
  }

  @Test
  void broadcastViewLargerThanItsStorageIsRefused() throws Exception {
    refusedStateDict(List.of(new Tensor("w", "FloatStorage", "0", 2, 0, new long[] {1_000_000_000}, new long[] {0})), ONE_STORAGE,
        "tensor 'w'", "more than its storage's 2");
  }

  @Test
  void zipDirectoryLyingAboutAnEntrySize() throws Exception {
    long lie = 0x7ffffff0L;
    byte[] zip = TorchZip.zip(TorchZip.entries(
        PickleBuilder.stateDict(List.of(Tensor.contiguous("w", "FloatStorage", "0", lie / 4))), ONE_STORAGE));
    patchCentralDirectorySizes(zip, "archive/data/0", lie);
    refused(zip, "archive/data/0");
  }

  @Test
  void fileThatIsNotAZip() throws Exception {
    refused("just some text".getBytes(StandardCharsets.US_ASCII), "not a zip archive");
  }

  @Test
  void legacyNonZipTorchFile() throws Exception {
    refused(new byte[] {(byte) 0x80, 2, (byte) 0x8a, 10}, "legacy (before PyTorch 1.6)");
  }

  @Test
  void zipWithTwoPickles() throws Exception {
    var entries = TorchZip.entries(PickleBuilder.stateDict(List.of(Tensor.contiguous("w", "FloatStorage", "0", 2))), ONE_STORAGE);
    entries.put("other/data.pkl", new byte[] {'.'});
    refused(TorchZip.zip(entries), "expected one <archive>/data.pkl entry");
  }

  /** Overwrites compressed and uncompressed size of {@code name}'s central directory record. */
  private static void patchCentralDirectorySizes(byte[] zip, String name, long size) {
    ByteBuffer b = ByteBuffer.wrap(zip).order(ByteOrder.LITTLE_ENDIAN);
    byte[] wanted = name.getBytes(StandardCharsets.UTF_8);
    for (int at = 0; at + 46 < zip.length; at++) {
      if (b.getInt(at) == 0x02014b50 && b.getShort(at + 28) == wanted.length
          && Arrays.equals(Arrays.copyOfRange(zip, at + 46, at + 46 + wanted.length), wanted)) {
        b.putInt(at + 20, (int) size).putInt(at + 24, (int) size);
        return;
      }
    }
    throw new AssertionError("no central directory record for " + name);
  }
}
