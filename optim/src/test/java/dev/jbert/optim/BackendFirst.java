package dev.jbert.optim;

import dev.jbert.core.Backend;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Calls {@link Backend#init()} before each test class of this module, which share one JVM, so that no
 * test loads OpenBLAS before {@code init} names its kernels and threads (transformer-core's test
 * {@code BackendFirst} says why). Found by Jupiter's extension autodetection.
 */
public final class BackendFirst implements BeforeAllCallback {

  @Override
  public void beforeAll(ExtensionContext context) {
    Backend.init();
  }
}
