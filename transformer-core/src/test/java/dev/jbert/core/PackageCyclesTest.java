package dev.jbert.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The packages of transformer-core form layers, each using only the layers below it: the kernels
 * and the checkpoint formats at the bottom, then the parameter store, the config and the native
 * runtime's set-up, then the Hugging Face modules, then the models that assemble them (and the ONNX
 * import).
 */
class PackageCyclesTest {

  private static final List<Set<String>> LAYERS = List.of(
      Set.of("dev.jbert.core.kernel", "dev.jbert.core.io"),
      Set.of("dev.jbert.core.param", "dev.jbert.core.config", "dev.jbert.core.backend"),
      Set.of("dev.jbert.core.nn"),
      Set.of("dev.jbert.core", "dev.jbert.core.onnx"));

  @Test
  void noPackageCycles() {
    PackageCycles packages = PackageCycles.read("dev.jbert.core");
    assertTrue(packages.uses().containsKey("dev.jbert.core.nn"), "jdeps output was read: " + packages.uses());
    assertEquals(List.of(), packages.cycles(), "package cycles (each listed from its alphabetically first package)");
  }

  @Test
  void eachPackageUsesOnlyTheLayersBelowIt() {
    PackageCycles packages = PackageCycles.read("dev.jbert.core");
    List<String> upward = new ArrayList<>();
    for (Map.Entry<String, Set<String>> e : packages.uses().entrySet()) {
      int from = layerOf(e.getKey());
      for (String used : e.getValue()) {
        if (layerOf(used) >= from) {
          upward.add(e.getKey() + " -> " + used);
        }
      }
    }
    assertEquals(List.of(), upward, "uses of a package in the same layer or above");
  }

  private static int layerOf(String pkg) {
    for (int i = 0; i < LAYERS.size(); i++) {
      if (LAYERS.get(i).contains(pkg)) {
        return i;
      }
    }
    throw new AssertionError("package " + pkg + " is in no layer of " + LAYERS);
  }
}
