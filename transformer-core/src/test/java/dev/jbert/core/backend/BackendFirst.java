package dev.jbert.core.backend;

import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Calls {@link Backend#init()} before each test class, as an application does before its first ND4J
 * use. A module's test classes share one JVM, and one that creates arrays before any model is built
 * would load OpenBLAS before {@code init} names its kernels (OpenBLAS 0.3.21 runs SSE3 kernels on the
 * Intel CPUs it misreads: {@link OpenBlasCoreType}) and sets its threads. Found by Jupiter's extension
 * autodetection ({@code META-INF/services}, switched on in {@code junit-platform.properties}); the
 * modules whose tests use ND4J directly (optim, finetune-cs, benchmarks) get all three from this
 * module's test-jar.
 */
public final class BackendFirst implements BeforeAllCallback {

  @Override
  public void beforeAll(ExtensionContext context) {
    Backend.init();
  }
}
