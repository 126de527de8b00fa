package dev.jbert.finetune.ood;

import dev.jbert.core.io.CheckpointException;
import dev.jbert.core.io.Safetensors;
import dev.jbert.core.io.TensorData;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@value #FILE_NAME} in a model folder: the parameters of the detectors fitted on the training set,
 * as F32 safetensors (written atomically by the project's writer): {@code mahalanobis.means} {@code
 * [classes, d]}, {@code mahalanobis.precision} {@code [d, d]}, {@code knn.bank} {@code [n, d]} (unit
 * rows), and {@code knn.k} in the metadata. Softmax and energy need no file: they read the logits
 * and the model's temperature.
 */
public final class DetectorFile {

  /** File name inside a model folder. */
  public static final String FILE_NAME = "ood_detectors.safetensors";

  private DetectorFile() {}

  /** Writes the feature detectors of {@code detectors} (others are skipped) into {@code dir}. */
  public static void save(Path dir, Iterable<OodDetector> detectors) throws IOException {
    List<TensorData> tensors = new ArrayList<>();
    Map<String, String> metadata = new LinkedHashMap<>();
    for (OodDetector d : detectors) {
      if (d instanceof MahalanobisDetector m) {
        tensors.add(tensor("mahalanobis.means", m.means()));
        tensors.add(tensor("mahalanobis.precision", m.precision()));
      } else if (d instanceof KnnDetector k) {
        tensors.add(tensor("knn.bank", k.bank()));
        metadata.put("knn.k", Integer.toString(k.k()));
      }
    }
    if (!tensors.isEmpty()) {
      Safetensors.write(dir.resolve(FILE_NAME), tensors, metadata);
    }
  }

  /**
   * Every detector the model folder can use: softmax and energy at {@code temperature}, and the
   * fitted feature detectors of its {@value #FILE_NAME}, if any.
   *
   * @throws CheckpointException for a file with missing or misshapen tensors, naming it
   */
  public static Map<DetectorKind, OodDetector> load(Path dir, double temperature) throws IOException {
    Map<DetectorKind, OodDetector> out = new EnumMap<>(DetectorKind.class);
    out.put(DetectorKind.SOFTMAX, new SoftmaxDetector(temperature));
    out.put(DetectorKind.ENERGY, new EnergyDetector(temperature));
    Path file = dir.resolve(FILE_NAME);
    if (!Files.isRegularFile(file)) {
      return out;
    }
    Map<String, TensorData> tensors = Safetensors.read(file);
    try {
      if (tensors.containsKey("mahalanobis.means") || tensors.containsKey("mahalanobis.precision")) {
        out.put(DetectorKind.MAHALANOBIS, new MahalanobisDetector(matrix(tensors, "mahalanobis.means", file),
            matrix(tensors, "mahalanobis.precision", file)));
      }
      if (tensors.containsKey("knn.bank")) {
        String k = Safetensors.metadata(file).get("knn.k");
        if (k == null) {
          throw new CheckpointException(file, "has knn.bank but no knn.k in its metadata");
        }
        out.put(DetectorKind.KNN, KnnDetector.ofUnitBank(matrix(tensors, "knn.bank", file), Integer.parseInt(k)));
      }
    } catch (IllegalArgumentException e) {
      throw new CheckpointException(file, e.getMessage());
    }
    return out;
  }

  private static TensorData tensor(String name, float[][] rows) {
    int cols = rows.length == 0 ? 0 : rows[0].length;
    float[] flat = new float[rows.length * cols];
    for (int i = 0; i < rows.length; i++) {
      System.arraycopy(rows[i], 0, flat, i * cols, cols);
    }
    return new TensorData(name, new long[] {rows.length, cols}, flat);
  }

  private static float[][] matrix(Map<String, TensorData> tensors, String name, Path file) throws CheckpointException {
    TensorData t = tensors.get(name);
    if (t == null || t.shape().length != 2) {
      throw new CheckpointException(file, t == null ? "has no tensor " + name : name + " is not a matrix");
    }
    int rows = (int) t.shape()[0];
    int cols = (int) t.shape()[1];
    float[][] out = new float[rows][cols];
    for (int i = 0; i < rows; i++) {
      System.arraycopy(t.data(), i * cols, out[i], 0, cols);
    }
    return out;
  }
}
