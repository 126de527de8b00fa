package dev.jbert.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The packages of transformer-core depend on each other one way only, but for one cycle left: the
 * model classes of {@code dev.jbert.core} assemble the modules of {@code core.nn}, which declare
 * their parameters through {@code core}'s {@link BertConfig}, {@link ParameterScope} and {@link
 * FlatView}. Listed here so that no other cycle comes in unseen; breaking it (those three below the
 * modules, or the models above them) takes the line out.
 */
class PackageCyclesTest {

  @Test
  void noPackageCyclesButTheModelsAndTheirModules() {
    PackageCycles packages = PackageCycles.read("dev.jbert.core");
    assertTrue(packages.uses().containsKey("dev.jbert.core.nn"), "jdeps output was read: " + packages.uses());
    assertEquals(List.of("dev.jbert.core -> dev.jbert.core.nn -> dev.jbert.core"), packages.cycles(),
        "package cycles (each listed from its alphabetically first package)");
  }
}
