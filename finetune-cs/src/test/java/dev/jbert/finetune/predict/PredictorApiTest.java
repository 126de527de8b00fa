package dev.jbert.finetune.predict;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jbert.finetune.SharedModels;
import dev.jbert.finetune.data.Example;
import dev.jbert.finetune.model.FineTunedModel;
import dev.jbert.finetune.model.HandOff;
import dev.jbert.finetune.model.Task;
import dev.jbert.finetune.train.FineTuneConfig;
import dev.jbert.finetune.train.FineTuning;
import dev.jbert.finetune.train.TrainingListener;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The one-call API ({@code classify(String)}, pairs, context, lists) gives exactly what the
 * file-example path gives, and refuses input the model was not trained to read.
 */
class PredictorApiTest {

  @TempDir static Path tmp;
  private static FineTunedModel intent;
  private static FineTunedModel pair;
  private static FineTunedModel context;

  private static final Path SOURCE = Path.of("train.jsonl");

  @BeforeAll
  static void trainTinyModels() throws Exception {
    List<Example> intents = new ArrayList<>();
    List<Example> pairs = new ArrayList<>();
    List<Example> turns = new ArrayList<>();
    String[][] data = {{"where is my card", "card"}, {"refund my order please", "refund"}, {"card not arrived", "card"},
        {"i want my money back", "refund"}};
    for (int i = 0; i < data.length; i++) {
      intents.add(Example.labelled(data[i][0], data[i][1], SOURCE, i + 1));
      pairs.add(new Example(data[i][0], "it ships tomorrow", List.of(), i % 2 == 0 ? "yes" : "no", null, SOURCE, i + 1));
      turns.add(new Example(data[i][0], null, List.of("hello", "how can i help"), data[i][1], null, SOURCE, i + 1));
    }
    intent = train(Task.INTENT, intents, "intent");
    pair = train(Task.PAIR, pairs, "pair");
    context = train(Task.INTENT, turns, "context"); // examples with earlier turns: a context-segment model
  }

  private static FineTunedModel train(Task task, List<Example> data, String name) throws Exception {
    FineTuneConfig config = FineTuneConfig.builder(task).maxSteps(2).batchSize(4).validationSplit(0).build();
    FineTuning.run(SharedModels.tinyBert(), data, List.of(), tmp.resolve(name), config, TrainingListener.NONE);
    return FineTunedModel.load(tmp.resolve(name));
  }

  @AfterAll
  static void close() {
    for (FineTunedModel m : new FineTunedModel[] {intent, pair, context}) {
      if (m != null) {
        m.close();
      }
    }
  }

  @Test
  void oneTextAListAndExamplesAgree() {
    Predictor predictor = Predictor.of(intent).withTopK(2);
    List<String> texts = List.of("where is my card", "refund please", "card card card");
    List<Prediction> all = predictor.classifyAll(texts);
    List<Prediction> fromExamples = predictor.classifyExamples(texts.stream()
        .map(t -> new Example(t, null, List.of(), null, null, SOURCE, 1)).toList());
    for (int i = 0; i < texts.size(); i++) {
      Prediction one = predictor.classify(texts.get(i));
      assertEquals(one.label(), all.get(i).label());
      assertEquals(one.score(), all.get(i).score(), 1e-6);
      assertEquals(one, fromExamples.get(i));
      assertEquals(2, one.topK().size());
      assertEquals(one.topK().get(0).score(), one.score(), 0.0);
    }
    assertEquals(List.of("card", "refund"), predictor.labels());
  }

  @Test
  void rawScoresAreTheLogitsBehindTheProbabilities() {
    Predictor predictor = Predictor.of(intent).withTopK(2);
    float[][] logits = predictor.rawScores(List.of(Input.of("where is my card")));
    double[] p = Softmax.of(logits[0]);
    Prediction prediction = predictor.classify("where is my card");
    assertEquals(Math.max(p[0], p[1]), prediction.score(), 1e-12);
  }

  @Test
  void handOffBelowTheThreshold() {
    Prediction p = Predictor.of(intent).withHandOff(new HandOff(1.0, "转人工")).classify("where is my card");
    assertEquals("转人工", p.label());
    assertTrue(p.handedOff());
    assertEquals(1, p.topK().size(), "top-1 by default");
  }

  @Test
  void pairModelTakesPairsAndRefusesAMessageAlone() {
    Predictor predictor = Predictor.of(pair);
    Prediction p = predictor.classifyPair("where is my card", "it ships tomorrow");
    assertEquals(p, predictor.classify(Input.pair("where is my card", "it ships tomorrow")));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> predictor.classify("where is my card"));
    assertTrue(e.getMessage().contains("text_pair"), e.getMessage());
    IllegalArgumentException second = assertThrows(IllegalArgumentException.class,
        () -> predictor.classifyInputs(List.of(Input.pair("a", "b"), Input.of("c"))));
    assertTrue(second.getMessage().startsWith("input:2"), second.getMessage());
  }

  @Test
  void rankRepliesOrdersThemByTheLabelsProbability() {
    Predictor predictor = Predictor.of(pair).withTopK(2);
    List<String> replies = List.of("it ships tomorrow", "refund my order please", "card not arrived");
    List<RankedReply> ranked = predictor.rankReplies("where is my card", replies, "yes");
    assertEquals(replies.size(), ranked.size());
    for (int r = 0; r < ranked.size(); r++) {
      RankedReply reply = ranked.get(r);
      assertEquals(replies.get(reply.index()), reply.reply());
      double yes = predictor.classifyPair("where is my card", reply.reply()).topK().stream()
          .filter(s -> s.label().equals("yes")).findFirst().orElseThrow().score();
      assertEquals(yes, reply.score(), 1e-12);
      if (r > 0) {
        assertTrue(ranked.get(r - 1).score() >= reply.score(), "best first");
      }
    }
    assertThrows(IllegalArgumentException.class, () -> predictor.rankReplies("where is my card", replies, "maybe"));
    assertThrows(IllegalStateException.class, () -> Predictor.of(intent).rankReplies("where is my card", replies, "card"));
  }

  @Test
  void singleMessageModelRefusesPairsAndContext() {
    Predictor predictor = Predictor.of(intent);
    assertThrows(IllegalArgumentException.class, () -> predictor.classifyPair("where is my card", "tomorrow"));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> predictor.classifyInContext("where is my card", List.of("hi")));
    assertTrue(e.getMessage().contains("without earlier turns"), e.getMessage());
  }

  @Test
  void contextModelReadsEarlierTurns() {
    Predictor predictor = Predictor.of(context).withTopK(2);
    Prediction withTurns = predictor.classifyInContext("where is my card", List.of("hello", "how can i help"));
    Prediction alone = predictor.classify("where is my card");
    assertEquals(withTurns, predictor.classify(Input.of("where is my card").withContext(List.of("hello", "how can i help"))));
    assertTrue(withTurns.topK().get(0).score() != alone.topK().get(0).score() || withTurns.topK().get(1).score() != alone.topK().get(1).score(),
        "the earlier turns change the encoding");
  }

  @Test
  void blankInputIsRefused() {
    assertThrows(IllegalArgumentException.class, () -> Input.of(" "));
    assertThrows(IllegalArgumentException.class, () -> Input.pair("a", ""));
    assertThrows(NullPointerException.class, () -> Input.of(null));
  }

  @Test
  void regressionCallsAreRefusedOnAClassifier() {
    Predictor predictor = Predictor.of(intent);
    assertThrows(IllegalStateException.class, () -> predictor.score("where is my card"));
    assertArrayEquals(new float[0][], predictor.rawScores(List.of()));
  }
}
