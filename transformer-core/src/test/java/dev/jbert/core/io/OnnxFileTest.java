package dev.jbert.core.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbert.core.io.OnnxFile.Tensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OnnxFileTest {

  @TempDir Path dir;

  @Test
  void readsNodesInitializersAndConstants() throws IOException {
    Path file = new OnnxBuilder()
        .initializer("dense.bias", new long[] {3}, new float[] {1, -2, 3.5f})
        .floatDataInitializer("onnx::MatMul_7", new long[] {2, 3}, new float[] {1, 2, 3, 4, 5, 6})
        .int64Initializer("embeddings.position_ids", new long[] {1, 4}, new long[] {0, 1, 2, 3})
        .node("MatMul", List.of("x", "onnx::MatMul_7"), List.of("mm"))
        .node("Add", List.of("mm", "dense.bias"), List.of("y"))
        .node("Constant", List.of(), List.of("c"), OnnxBuilder.tensorAttribute("value", new long[] {}, 5.656854f))
        .node("Constant", List.of(), List.of("cf"), OnnxBuilder.floatAttribute("value_float", 0.5f))
        .node("Gemm", List.of("y", "onnx::MatMul_7"), List.of("z"), OnnxBuilder.intAttribute("transB", 1))
        .write(dir.resolve("m.onnx"));
    OnnxFile onnx = OnnxFile.read(file);

    assertEquals(8, onnx.irVersion());
    assertEquals(List.of("dense.bias", "onnx::MatMul_7", "embeddings.position_ids"), List.copyOf(onnx.initializers().keySet()));
    Tensor bias = onnx.initializers().get("dense.bias");
    assertArrayEquals(new long[] {3}, bias.dims());
    assertArrayEquals(new float[] {1, -2, 3.5f}, bias.floats());
    assertArrayEquals(new float[] {1, 2, 3, 4, 5, 6}, onnx.initializers().get("onnx::MatMul_7").floats());
    Tensor ids = onnx.initializers().get("embeddings.position_ids");
    assertEquals("INT64", ids.typeName());
    assertArrayEquals(new long[] {0, 1, 2, 3}, ids.longs());
    assertThrows(CheckpointException.class, ids::floats);

    assertEquals("MatMul", onnx.producer("mm").orElseThrow().opType());
    assertEquals(List.of("Add"), onnx.consumers("mm").stream().map(OnnxFile.Node::opType).toList());
    assertEquals(2, onnx.consumers("onnx::MatMul_7").size());
    assertEquals(1, onnx.nodes().get(4).attribute("transB").orElseThrow().i());
    assertArrayEquals(new float[] {5.656854f}, onnx.constant("c").orElseThrow().floats());
    assertArrayEquals(new float[] {0.5f}, onnx.constant("cf").orElseThrow().floats());
    assertArrayEquals(new float[] {1, -2, 3.5f}, onnx.constant("dense.bias").orElseThrow().floats());
    assertTrue(onnx.constant("mm").isEmpty());
    assertTrue(onnx.producer("x").isEmpty());
  }

  @Test
  void aFileCutShortIsNamedAsSuch() throws IOException {
    byte[] whole = new OnnxBuilder().initializer("w.bias", new long[] {64}, new float[64]).bytes();
    Path file = Files.write(dir.resolve("cut.onnx"), Arrays.copyOf(whole, whole.length - 10));
    CheckpointException e = assertThrows(CheckpointException.class, () -> OnnxFile.read(file));
    assertTrue(e.getMessage().startsWith(file + ": not an ONNX model, or cut short"), e.getMessage());
  }

  @Test
  void aFileWithoutAGraphIsNotAModel() throws IOException {
    Path file = Files.writeString(dir.resolve("notes.onnx"), "");
    CheckpointException e = assertThrows(CheckpointException.class, () -> OnnxFile.read(file));
    assertEquals(file + ": holds no graph: not an ONNX model", e.getMessage());
    assertThrows(CheckpointException.class, () -> OnnxFile.read(dir.resolve("missing.onnx")));
  }

  @Test
  void externalDataIsRefusedWithItsLocation() throws IOException {
    Path file = new OnnxBuilder().externalInitializer("big.weight", new long[] {4, 4}, "model.onnx_data").write(dir.resolve("x.onnx"));
    Tensor t = OnnxFile.read(file).initializers().get("big.weight");
    CheckpointException e = assertThrows(CheckpointException.class, t::floats);
    assertEquals(file + ": tensor 'big.weight' keeps its values in the external file 'model.onnx_data'; "
        + "jbert reads ONNX files that hold their weights themselves", e.getMessage());
  }

  @Test
  void rawDataOfTheWrongLengthNamesTheTensor() throws IOException {
    Path file = new OnnxBuilder().rawInitializer("w.weight", new long[] {2, 3}, 20).write(dir.resolve("r.onnx"));
    Tensor t = OnnxFile.read(file).initializers().get("w.weight");
    CheckpointException e = assertThrows(CheckpointException.class, t::floats);
    assertEquals(file + ": tensor 'w.weight' [2, 3] of FLOAT needs 24 bytes of raw_data, the file holds 20", e.getMessage());
  }

  @Test
  void anInitializerGivenTwiceIsAnError() throws IOException {
    Path file = new OnnxBuilder().initializer("a.bias", new long[] {1}, new float[] {1})
        .initializer("a.bias", new long[] {1}, new float[] {2}).write(dir.resolve("d.onnx"));
    CheckpointException e = assertThrows(CheckpointException.class, () -> OnnxFile.read(file));
    assertEquals(file + ": initializer 'a.bias' is given twice", e.getMessage());
  }
}
