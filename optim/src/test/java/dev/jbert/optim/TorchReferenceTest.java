package dev.jbert.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.jbert.core.param.Parameters;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * Steps 1 and 2 of PyTorch's AdamW runs ({@code adamw_steps*.json}), which need no model: step 1 has
 * lr 0 and leaves the parameters as they were, so both steps see the recorded gradient of the
 * initial parameters. Checks lr, grad norm, clip coefficient and the Adam moments; in double to
 * 1e-9 (SOURCE.md), in float against torch's float32 run to 1e-4.
 */
class TorchReferenceTest {

  @ParameterizedTest
  @ValueSource(strings = {"adamw_steps.json", "adamw_steps_frozen.json", "adamw_steps_large_init.json"})
  void firstTwoStepsMatchTorchInDouble(String file) throws Exception {
    check(file, DataType.DOUBLE, "float64", 1e-9);
  }

  @ParameterizedTest
  @ValueSource(strings = {"adamw_steps.json", "adamw_steps_frozen.json", "adamw_steps_large_init.json"})
  void firstTwoStepsMatchTorchInFloat(String file) throws Exception {
    check(file, DataType.FLOAT, "float32", 1e-4);
  }

  private static void check(String file, DataType dt, String key, double rtol) throws Exception {
    TorchAdamwReference ref = TorchAdamwReference.load(file);
    Parameters params = ref.initialParameters(dt);
    AdamW opt = new AdamW(params, ref.config());
    if (!ref.trainableNames().isEmpty()) {
      assertEquals(ref.trainableNames(), opt.groups().trainableNames(), file + " trainable set");
    }
    double[] initial = params.values().toDoubleVector();

    List<Double> losses = new ArrayList<>();
    List<StepResult> first = ref.run(opt, 1, ref.recordedGradient(key), losses);
    // lr 0 at step 1: p * (1 - 0) and p - 0 leave every bit as it was, so step 2 sees the same gradient.
    assertArrayEquals(initial, params.values().toDoubleVector(), file + ": step 1 (lr 0) moved parameters");
    ref.assertStep(key, first.get(0), 1, rtol);
    ref.assertAdamState(key, opt, 1, rtol);

    StepResult second = ref.run(opt, 1, ref.recordedGradient(key), losses).get(0);
    assertEquals(2, second.step());
    ref.assertStep(key, second, 2, rtol);
    ref.assertAdamState(key, opt, 2, rtol);
    assertEquals(ref.root.path(key).path("steps").get(1).path("loss").asDouble(), losses.get(1), 0.0,
        file + ": the recorded gradient is the one of step 2's loss");

    // Frozen tensors: still exactly the initial weights, as in torch's final_params.
    List<String> frozen = ref.frozenNames();
    ref.assertParams(key, params, frozen, 0.0);
    assertEquals(file.contains("frozen") ? 21 : 0, frozen.size(), file + ": frozen tensors");
  }
}
