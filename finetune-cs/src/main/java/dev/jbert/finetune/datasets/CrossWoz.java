package dev.jbert.finetune.datasets;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.jbert.finetune.data.DataFileException;
import dev.jbert.finetune.data.DatasetSplits;
import dev.jbert.finetune.data.Example;
import dev.jbert.finetune.io.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Chinese multi-turn tasks from the compacted CrossWOZ files ({@code val.jsonl}, {@code test.jsonl}:
 * one dialogue per line, {@code turns} of {@code role} usr/sys, {@code content}, {@code dialog_act}
 * lists of {@code [intent, domain, slot, value]}).
 *
 * <p>The official train split is not available, so (as its {@code SOURCE.md} says) {@code val.jsonl}
 * is the training data and {@code test.jsonl} the test data. Validation is carved out of {@code
 * val.jsonl} by dialogue — {@link HashSplit} bucket 0 of {@code dialogue_id} (about 10%) — so no
 * dialogue has turns on both sides.
 *
 * <p>The domain of a turn is the domain of its first act whose intent is not {@code General} (景点,
 * 餐馆, 酒店, 地铁, 出租); a turn with only {@code General} acts (greet, thank, bye) has the domain
 * {@value #GENERAL_DOMAIN}.
 */
public final class CrossWoz {

  /** Domain label of turns whose acts are all {@code General} (greetings, thanks, goodbyes). */
  public static final String GENERAL_DOMAIN = "通用";

  /** One turn: who speaks, what they say, and the domain of its acts (null when it has no acts). */
  public record Turn(String role, String content, String domain) {}

  /** One dialogue and the line of the file it is on. */
  public record Dialogue(String id, Path source, long line, List<Turn> turns) {}

  private CrossWoz() {}

  /**
   * User-turn domain classification with dialogue context: text = the user turn, context = every
   * earlier turn (user and system, oldest first), label = its domain. User turns without any dialogue
   * act (16 in {@code val.jsonl}) have no label and are skipped.
   */
  public static DatasetSplits domains(Path dir) {
    DialogueSplits d = DialogueSplits.of(dir);
    return new DatasetSplits("crosswoz-domain", domainExamples(d.train()), domainExamples(d.validation()), domainExamples(d.test()));
  }

  /**
   * Reply appropriateness with dialogue context: text = a user turn, context = the earlier turns,
   * pair = a system reply. The system turn that follows is {@value PairSampling#APPROPRIATE}; system
   * turns of other dialogues of the same split are {@value PairSampling#INAPPROPRIATE} (hard ones
   * from the same domain as the true reply). Replies with only General acts (welcome, bye) fit any
   * thank-you or goodbye, so they are never negatives for each other; their negatives are replies of
   * a real domain (from any dialogue). A negative never has the same text as the true reply.
   */
  public static DatasetSplits replyPairs(Path dir, PairSampling sampling) {
    DialogueSplits d = DialogueSplits.of(dir);
    return new DatasetSplits("crosswoz-reply",
        replyExamples(d.train(), sampling, "train"),
        replyExamples(d.validation(), sampling, "validation"),
        replyExamples(d.test(), sampling, "test"));
  }

  /** The dialogues of one file, in file order. */
  public static List<Dialogue> read(Path file) {
    List<String> lines;
    try {
      lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    }
    List<Dialogue> dialogues = new ArrayList<>();
    for (int i = 0; i < lines.size(); i++) {
      if (!lines.get(i).isBlank()) {
        dialogues.add(dialogue(file, i + 1L, lines.get(i)));
      }
    }
    if (dialogues.isEmpty()) {
      throw new DataFileException(file, 1, "empty file: no dialogues");
    }
    return dialogues;
  }

  private static Dialogue dialogue(Path file, long line, String json) {
    JsonNode root;
    try {
      root = Json.MAPPER.readTree(json);
    } catch (JsonProcessingException e) {
      throw new DataFileException(file, line, "not valid JSON: " + e.getOriginalMessage(), e);
    }
    JsonNode turnsNode = root.path("turns");
    if (!root.path("dialogue_id").isTextual() || !turnsNode.isArray()) {
      throw new DataFileException(file, line, "expected an object with 'dialogue_id' and a 'turns' array");
    }
    List<Turn> turns = new ArrayList<>(turnsNode.size());
    for (JsonNode t : turnsNode) {
      String role = t.path("role").asText("");
      if (!role.equals("usr") && !role.equals("sys") || !t.path("content").isTextual()) {
        throw new DataFileException(file, line, "turn " + turns.size() + " needs 'role' usr|sys and a 'content' string");
      }
      turns.add(new Turn(role, t.path("content").textValue().strip(), domainOf(t.path("dialog_act"))));
    }
    return new Dialogue(root.path("dialogue_id").textValue(), file, line, turns);
  }

  /** Domain of the first non-General act; {@link #GENERAL_DOMAIN} if all are General; null without acts. */
  static String domainOf(JsonNode acts) {
    if (!acts.isArray() || acts.isEmpty()) {
      return null;
    }
    for (JsonNode act : acts) {
      if (!act.path(0).asText().equals("General")) {
        return act.path(1).asText();
      }
    }
    return GENERAL_DOMAIN;
  }

  private static List<Example> domainExamples(List<Dialogue> dialogues) {
    List<Example> examples = new ArrayList<>();
    for (Dialogue d : dialogues) {
      for (int i = 0; i < d.turns().size(); i++) {
        Turn turn = d.turns().get(i);
        if (turn.role().equals("usr") && turn.domain() != null && !turn.content().isEmpty()) {
          examples.add(new Example(turn.content(), null, contents(d.turns().subList(0, i)), turn.domain(), null, d.source(), d.line()));
        }
      }
    }
    return examples;
  }

  private static List<Example> replyExamples(List<Dialogue> dialogues, PairSampling sampling, String splitName) {
    List<NegativeSampler.Candidate> pool = new ArrayList<>();
    for (Dialogue d : dialogues) {
      for (Turn t : d.turns()) {
        if (t.role().equals("sys") && !t.content().isEmpty()) {
          pool.add(new NegativeSampler.Candidate(replyGroup(d, t), domainKey(t), t.content()));
        }
      }
    }
    NegativeSampler sampler = new NegativeSampler(pool, sampling, new Random(sampling.seed() ^ splitName.hashCode()));
    List<Example> examples = new ArrayList<>();
    for (Dialogue d : dialogues) {
      for (int i = 0; i + 1 < d.turns().size(); i++) {
        Turn user = d.turns().get(i);
        Turn reply = d.turns().get(i + 1);
        if (!user.role().equals("usr") || !reply.role().equals("sys") || user.content().isEmpty() || reply.content().isEmpty()) {
          continue;
        }
        List<String> context = contents(d.turns().subList(0, i));
        examples.add(new Example(user.content(), reply.content(), context, PairSampling.APPROPRIATE, null, d.source(), d.line()));
        for (String wrong : sampler.negativesFor(replyGroup(d, reply), domainKey(reply), reply.content())) {
          examples.add(new Example(user.content(), wrong, context, PairSampling.INAPPROPRIATE, null, d.source(), d.line()));
        }
      }
    }
    return examples;
  }

  /**
   * Replies that are right for the same messages: the system turns of one dialogue; and all
   * {@value #GENERAL_DOMAIN} replies together ("不客气", "再见" fit any thank-you or goodbye), so one is
   * never a negative for another.
   */
  private static String replyGroup(Dialogue d, Turn reply) {
    return domainKey(reply).equals(GENERAL_DOMAIN) ? GENERAL_DOMAIN : "dialogue:" + d.id();
  }

  private static String domainKey(Turn t) {
    return t.domain() == null ? GENERAL_DOMAIN : t.domain();
  }

  private static List<String> contents(List<Turn> turns) {
    List<String> out = new ArrayList<>(turns.size());
    for (Turn t : turns) {
      if (!t.content().isEmpty()) {
        out.add(t.content());
      }
    }
    return out;
  }

  /** val.jsonl split by dialogue into train and validation; test.jsonl as test. */
  private record DialogueSplits(List<Dialogue> train, List<Dialogue> validation, List<Dialogue> test) {
    static DialogueSplits of(Path dir) {
      List<Dialogue> train = new ArrayList<>();
      List<Dialogue> validation = new ArrayList<>();
      for (Dialogue d : read(dir.resolve("val.jsonl"))) {
        (HashSplit.bucket(d.id()) == 0 ? validation : train).add(d);
      }
      return new DialogueSplits(train, validation, read(dir.resolve("test.jsonl")));
    }
  }
}
