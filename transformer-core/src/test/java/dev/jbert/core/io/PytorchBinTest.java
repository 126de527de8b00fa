package dev.jbert.core.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.jbert.core.io.PickleBuilder.Tensor;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code pytorch_model.bin}: the shared legacy file equals the safetensors one; hand-built files cover views and dtypes. */
class PytorchBinTest {

  @TempDir Path tmp;

  @Test
  void sharedBinEqualsSafetensorsBitForBitAndSkipsPositionIds() throws Exception {
    Path bin = SharedFixtures.model("tiny-random-bert-pytorch-bin").resolve("pytorch_model.bin");

    LoadedTensors loaded = PytorchBin.load(bin);

    SharedFixtures.assertBitIdentical(Safetensors.read(SharedFixtures.tinySafetensors()), loaded.tensors());
    assertEquals(Set.of("bert.embeddings.position_ids"), loaded.skipped());
    assertEquals("bert.embeddings.LayerNorm.bias", loaded.tensors().keySet().iterator().next(), "pickle order kept");
  }

  @Test
  void checkpointsFindsTheBinWhenThereIsNoSafetensors() throws Exception {
    var viaDir = Checkpoints.read(SharedFixtures.model("tiny-random-bert-pytorch-bin"));
    SharedFixtures.assertBitIdentical(Safetensors.read(SharedFixtures.tinySafetensors()), viaDir);
  }

  @Test
  void rebuildsNonContiguousAndSharedViews() throws Exception {
    // one storage 0..5 seen four ways: transposed [3,2] view, an offset row, the whole [2,3], a scalar
    List<Tensor> tensors = List.of(
        new Tensor("transposed", "FloatStorage", "0", 6, 0, new long[] {3, 2}, new long[] {1, 3}),
        new Tensor("row1", "FloatStorage", "0", 6, 3, new long[] {3}, new long[] {1}),
        new Tensor("whole", "FloatStorage", "0", 6, 0, new long[] {2, 3}, new long[] {3, 1}),
        new Tensor("scalar", "FloatStorage", "0", 6, 4, new long[] {}, new long[] {}),
        new Tensor("column2", "FloatStorage", "0", 6, 2, new long[] {2, 1}, new long[] {3, 7}));
    Path file = TorchZip.write(tmp.resolve("views.bin"), PickleBuilder.stateDict(tensors),
        Map.of("0", SafetensorsFiles.floats(0, 1, 2, 3, 4, 5)));

    LinkedHashMap<String, TensorData> read = PytorchBin.read(file);

    assertEquals(List.of("transposed", "row1", "whole", "scalar", "column2"), List.copyOf(read.keySet()));
    assertArrayEquals(new float[] {0, 3, 1, 4, 2, 5}, read.get("transposed").data());
    assertArrayEquals(new long[] {3, 2}, read.get("transposed").shape());
    assertArrayEquals(new float[] {3, 4, 5}, read.get("row1").data());
    assertArrayEquals(new float[] {0, 1, 2, 3, 4, 5}, read.get("whole").data());
    assertArrayEquals(new float[] {4}, read.get("scalar").data());
    assertArrayEquals(new long[] {}, read.get("scalar").shape());
    assertArrayEquals(new float[] {2, 5}, read.get("column2").data()); // size-1 dim: its stride is irrelevant
    read.get("whole").data()[0] = 99; // tensors sharing a storage do not share arrays
    assertEquals(0, read.get("transposed").data()[0]);
  }

  @Test
  void readsHalfBfloat16AndDoubleStoragesAndSkipsIntegerOnes() throws Exception {
    List<Tensor> tensors = List.of(
        Tensor.contiguous("half", "HalfStorage", "0", 3),
        Tensor.contiguous("brain", "BFloat16Storage", "1", 2),
        Tensor.contiguous("wide", "DoubleStorage", "2", 1),
        Tensor.contiguous("ids", "LongStorage", "3", 1, 2),
        Tensor.contiguous("mask", "BoolStorage", "4", 2));
    Path file = TorchZip.write(tmp.resolve("dtypes.bin"), PickleBuilder.stateDict(tensors), Map.of(
        "0", SafetensorsFiles.shorts(0x3c00, 0x0001, 0x7c00),
        "1", SafetensorsFiles.shorts(0x3f80, 0xc049),
        "2", SafetensorsFiles.doubles(0.25),
        "3", new byte[16],
        "4", new byte[2]));

    LoadedTensors read = PytorchBin.load(file);

    assertArrayEquals(new float[] {1f, 0x1p-24f, Float.POSITIVE_INFINITY}, read.tensors().get("half").data());
    assertArrayEquals(new float[] {1f, -3.140625f}, read.tensors().get("brain").data());
    assertArrayEquals(new float[] {0.25f}, read.tensors().get("wide").data());
    assertEquals(Set.of("ids", "mask"), read.skipped());
  }

  @Test
  void honoursABigEndianByteorderRecord() throws Exception {
    byte[] bigEndian = ByteBuffer.allocate(8).order(ByteOrder.BIG_ENDIAN).putFloat(1.5f).putFloat(-7f).array();
    Map<String, byte[]> entries = TorchZip.entries(
        PickleBuilder.stateDict(List.of(Tensor.contiguous("w", "FloatStorage", "0", 2))), Map.of("0", bigEndian));
    entries.put("archive/byteorder", "big".getBytes());
    Path file = java.nio.file.Files.write(tmp.resolve("big.bin"), TorchZip.zip(entries));

    assertArrayEquals(new float[] {1.5f, -7f}, PytorchBin.read(file).get("w").data());
  }

  @Test
  void acceptsStateDictMetadataAndParameters() throws Exception {
    // OrderedDict with a _metadata attribute (BUILD) holding a tensor wrapped by _rebuild_parameter
    PickleBuilder p = new PickleBuilder().proto().global("collections", "OrderedDict").emptyTuple().reduce();
    p.str("w").global("torch._utils", "_rebuild_parameter").mark();
    p.global("torch._utils", "_rebuild_tensor_v2").mark()
        .mark().str("storage").global("torch", "FloatStorage").str("0").str("cpu").integer(1).tuple().op('Q')
        .integer(0).ints(1).ints(1).op(0x89).global("collections", "OrderedDict").emptyTuple().reduce().tuple().reduce();
    p.op(0x88).global("collections", "OrderedDict").emptyTuple().reduce().tuple().reduce(); // requires_grad, hooks
    p.op('s'); // SETITEM
    p.op('}').str("_metadata").global("collections", "OrderedDict").emptyTuple().reduce()
        .op('q').op(9).str("").op('}').str("version").integer(1).op('s').op('s').op('s').op('b').stop();
    Path file = TorchZip.write(tmp.resolve("meta.bin"), p.bytes(), Map.of("0", SafetensorsFiles.floats(2.5f)));

    var read = PytorchBin.read(file);

    assertArrayEquals(new float[] {2.5f}, read.get("w").data());
  }
}
