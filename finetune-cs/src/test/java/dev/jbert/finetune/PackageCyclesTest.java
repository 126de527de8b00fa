package dev.jbert.finetune;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.jbert.core.PackageCycles;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The packages of finetune-cs depend on each other one way only. */
class PackageCyclesTest {

  @Test
  void noPackageCycles() {
    assertEquals(List.of(), PackageCycles.in("dev.jbert.finetune"),
        "package cycles (each listed from its alphabetically first package)");
  }
}
