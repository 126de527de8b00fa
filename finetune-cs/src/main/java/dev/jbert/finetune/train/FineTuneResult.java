package dev.jbert.finetune.train;

import dev.jbert.finetune.eval.Evaluation;
import dev.jbert.finetune.predict.ThresholdPicker;
import java.nio.file.Path;

/**
 * What a fine-tuning run produced.
 *
 * @param outputDir the folder with the fine-tuned model, {@code metrics.json}, the training log and charts
 * @param evaluation the kept model on {@code evaluatedOn}, or null when the final evaluation was
 *     skipped ({@link FineTuneConfig#finalEvaluation()} off)
 * @param evaluatedOn {@code eval} (the evaluation file), {@code validation} (held out from the
 *     training file), {@code train} (no evaluation data) or {@code none} (final evaluation skipped)
 * @param state the final trainer state: steps, best epoch and metric, why training stopped
 * @param handOff the hand-off threshold picked on the evaluation data, or null when none was asked for
 */
public record FineTuneResult(Path outputDir, Evaluation evaluation, String evaluatedOn, TrainerState state,
    ThresholdPicker.Choice handOff) {}
