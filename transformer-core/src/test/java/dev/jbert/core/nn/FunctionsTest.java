package dev.jbert.core.nn;

import dev.jbert.core.kernel.Functions;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class FunctionsTest {

  /** (x, erf(x)) from CPython's math.erf (libm, below one ulp). */
  private static final double[][] ERF = {
    {-7, -1.0}, {-5.5, -0.9999999999999927}, {-4, -0.9999999845827421}, {-3.2, -0.9999939742388483},
    {-3, -0.9999779095030014}, {-2.9, -0.9999589021219005}, {-2, -0.9953222650189527}, {-1.5, -0.9661051464753108},
    {-1, -0.8427007929497149}, {-0.84375, -0.7672256612323416}, {-0.5, -0.5204998778130465},
    {-0.1, -0.1124629160182849}, {-0.001, -0.0011283787909692365}, {-1e-08, -1.1283791670955126e-08}, {0, 0.0},
    {1e-09, 1.1283791670955127e-09}, {0.0001, 0.00011283791633342487}, {0.05, 0.05637197779701663},
    {0.3, 0.3286267594591274}, {0.6, 0.6038560908479259}, {0.9, 0.7969082124228322}, {1.0, 0.8427007929497149},
    {1.25, 0.9229001282564582}, {1.7, 0.9837904585907745}, {2.2, 0.9981371537020182}, {2.8, 0.9999249868053346},
    {2.999, 0.9999777698314002}, {3.0, 0.9999779095030014}, {3.001, 0.9999780483390822}, {3.5, 0.9999992569016276},
    {4.2, 0.9999999971445058}, {5.0, 0.9999999999984626}, {5.9, 0.9999999999999999}, {6.5, 1.0}, {8, 1.0}, {27, 1.0},
  };

  @Test
  void erfIsAccurateToDoublePrecision() {
    for (double[] c : ERF) {
      double tol = 4 * Math.ulp(c[1]) + 1e-300;
      assertEquals(c[1], Functions.erf(c[0]), tol, "erf(" + c[0] + ")");
    }
  }

  @Test
  void approximationsAreAccurateToFloatPrecision() {
    double maxErf = 0;
    for (double x = -8; x <= 8; x += 1e-3) {
      maxErf = Math.max(maxErf, Math.abs(Functions.erfApprox((float) x) - Functions.erf((float) x)));
    }
    assertTrue(maxErf < 5e-7, "erfApprox max abs error " + maxErf);
    double maxExpAbs = 0;
    double maxExpRel = 0;
    for (double x = -130; x <= 0; x += 1e-3) {
      double e = Math.exp(x);
      maxExpAbs = Math.max(maxExpAbs, Math.abs(Functions.expApprox(x) - e));
      if (x >= -20) {
        maxExpRel = Math.max(maxExpRel, Math.abs(Functions.expApprox(x) / e - 1));
      }
    }
    assertTrue(maxExpAbs < 1e-8, "expApprox max abs error " + maxExpAbs);
    assertTrue(maxExpRel < 2e-8, "expApprox max rel error on [-20, 0] " + maxExpRel);
    assertEquals(0f, (float) Functions.expApprox(-3.4e38), "masked scores vanish once stored as float");
    double[] t = new double[16001];
    for (int i = 0; i < t.length; i++) {
      t[i] = -8 + i * 1e-3;
    }
    Functions.tanh(t, 0, t.length, false);
    for (int i = 0; i < t.length; i++) {
      assertEquals(Math.tanh(-8 + i * 1e-3), t[i], 2e-8);
    }
  }
}
