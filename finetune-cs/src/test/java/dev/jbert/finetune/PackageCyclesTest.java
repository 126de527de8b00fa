package dev.jbert.finetune;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbert.core.PackageCycles;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The packages of finetune-cs depend on each other one way only. */
class PackageCyclesTest {

  @Test
  void noPackageCycles() {
    PackageCycles packages = PackageCycles.read("dev.jbert.finetune");
    assertTrue(packages.uses().containsKey("dev.jbert.finetune.train"), "jdeps output was read: " + packages.uses());
    assertEquals(List.of(), packages.cycles(), "package cycles (each listed from its alphabetically first package)");
  }
}
