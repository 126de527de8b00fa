package dev.jbert.core.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class NativeEnvironmentTest {

  @Test
  void setsAVariableForNativeCodeOnlyWhenItIsUnset() {
    String name = "JBERT_TEST_" + ProcessHandle.current().pid();
    assertTrue(NativeEnvironment.setDefault(name, "first"));
    assertEquals("first", NativeEnvironment.get(name));
    assertTrue(NativeEnvironment.setDefault(name, "second"));
    assertEquals("first", NativeEnvironment.get(name), "an existing value is kept");
  }

  @Test
  void seesWhichSharedLibrariesAreLoaded() {
    org.junit.jupiter.api.Assumptions.assumeTrue(java.nio.file.Files.exists(java.nio.file.Path.of("/proc/self/maps")));
    assertTrue(NativeEnvironment.isLoaded("libjava"), "the JVM's own libjava");
    assertTrue(!NativeEnvironment.isLoaded("libjbert-no-such-library"));
  }

  @Test
  void backendInitLeavesBothThreadSettingsInTheEnvironment() {
    Backend.init();
    assertNotNull(NativeEnvironment.get("OMP_WAIT_POLICY"));
    assertNotNull(NativeEnvironment.get("OPENBLAS_THREAD_TIMEOUT"));
    assertEquals(NativeEnvironment.get("OPENBLAS_THREAD_TIMEOUT"), Backend.info().get("OPENBLAS_THREAD_TIMEOUT"));
  }
}
