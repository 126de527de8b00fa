package dev.jbert.finetune.labels;

import dev.jbert.finetune.data.DataFileException;
import dev.jbert.finetune.data.Example;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The classes of a classification head: label name ↔ id 0…n−1, as Hugging Face's {@code id2label}
 * and {@code label2id} in {@code config.json}.
 *
 * <p>New heads number labels in sorted order of their names ({@link String#compareTo}), so the same
 * labels always get the same ids. When continuing from a checkpoint whose {@code id2label} maps
 * exactly the labels of the data, that mapping is kept, so the trained head rows still mean the same
 * classes.
 */
public final class LabelMap {

  private final List<String> labels;
  private final Map<String, Integer> ids;

  private LabelMap(List<String> labels) {
    this.labels = List.copyOf(labels);
    Map<String, Integer> map = new HashMap<>();
    for (int i = 0; i < this.labels.size(); i++) {
      if (map.put(this.labels.get(i), i) != null) {
        throw new IllegalArgumentException("label '" + this.labels.get(i) + "' appears twice");
      }
    }
    this.ids = Map.copyOf(map);
  }

  /** Ids in sorted order of the distinct names. */
  public static LabelMap sorted(Collection<String> labels) {
    if (labels.isEmpty()) {
      throw new IllegalArgumentException("no labels");
    }
    return new LabelMap(new ArrayList<>(new TreeSet<>(labels)));
  }

  /** Labels whose ids are their positions in {@code labelsById} (a config's {@code id2label} as a list). */
  public static LabelMap inIdOrder(List<String> labelsById) {
    if (labelsById.isEmpty()) {
      throw new IllegalArgumentException("no labels");
    }
    return new LabelMap(labelsById);
  }

  /**
   * The labels of labelled examples: {@code existing} when it maps exactly this set of labels, else
   * {@link #sorted}.
   *
   * @param existing an {@code id2label} from a checkpoint, or null
   * @throws IllegalArgumentException when an example has no class label (regression or unlabelled)
   */
  public static LabelMap forExamples(List<Example> examples, LabelMap existing) {
    Set<String> names = new HashSet<>();
    for (Example e : examples) {
      if (e.label() == null) {
        throw new IllegalArgumentException(e.where() + ": example has no class label");
      }
      names.add(e.label());
    }
    if (existing != null && existing.labelSet().equals(names)) {
      return existing;
    }
    return sorted(names);
  }

  /**
   * From an {@code id2label} map whose keys are exactly 0…n−1 (Integer keys, or the String keys of a
   * {@code config.json}).
   */
  public static LabelMap fromId2Label(Map<?, String> id2label) {
    if (id2label.isEmpty()) {
      throw new IllegalArgumentException("id2label is empty");
    }
    String[] labels = new String[id2label.size()];
    for (Map.Entry<?, String> e : id2label.entrySet()) {
      int id;
      try {
        id = Integer.parseInt(e.getKey().toString());
      } catch (NumberFormatException ex) {
        throw new IllegalArgumentException("id2label key '" + e.getKey() + "' is not an integer");
      }
      if (id < 0 || id >= labels.length || labels[id] != null) {
        throw new IllegalArgumentException("id2label keys must be 0.." + (labels.length - 1) + " each once; bad key " + id);
      }
      if (e.getValue() == null) {
        throw new IllegalArgumentException("id2label[" + id + "] is null");
      }
      labels[id] = e.getValue();
    }
    return new LabelMap(List.of(labels));
  }

  /** From a {@code label2id} map whose ids are exactly 0…n−1. */
  public static LabelMap fromLabel2Id(Map<String, Integer> label2id) {
    Map<Integer, String> id2label = new HashMap<>();
    for (Map.Entry<String, Integer> e : label2id.entrySet()) {
      id2label.put(e.getValue(), e.getKey());
    }
    if (id2label.size() != label2id.size()) {
      throw new IllegalArgumentException("label2id gives one id to several labels: " + label2id);
    }
    return fromId2Label(id2label);
  }

  /** Number of classes. */
  public int size() {
    return labels.size();
  }

  /** Label names by id. */
  public List<String> labels() {
    return labels;
  }

  /** The name of class {@code id}. */
  public String label(int id) {
    return labels.get(id);
  }

  /** True when {@code label} is one of the classes. */
  public boolean contains(String label) {
    return ids.containsKey(label);
  }

  /** The id of {@code label}; {@link IllegalArgumentException} when unknown. */
  public int id(String label) {
    Integer id = ids.get(label);
    if (id == null) {
      throw new IllegalArgumentException("unknown label '" + label + "' (the head has " + size() + " labels)");
    }
    return id;
  }

  /**
   * The id of an example's label.
   *
   * @throws DataFileException naming the example's file and line when the label is not one of the
   *     classes (e.g. a test label never seen in training) or the example has no label
   */
  public int id(Example example) {
    if (example.label() == null) {
      throw new DataFileException(example.source(), example.line(), "example has no class label");
    }
    Integer id = ids.get(example.label());
    if (id == null) {
      throw new DataFileException(example.source(), example.line(),
          "label '" + example.label() + "' is not one of the model's " + size() + " labels" + knownLabels(example.label()));
    }
    return id;
  }

  /** Labels listed in a message, at most this many. */
  private static final int LISTED_LABELS = 10;

  /** Labels named after an unknown one: all of them when few, else the closest few by edit distance. */
  private String knownLabels(String unknown) {
    if (labels.size() <= LISTED_LABELS) {
      return ": " + String.join(", ", labels);
    }
    String key = unknown.toLowerCase(java.util.Locale.ROOT);
    List<String> closest = labels.stream()
        .sorted(java.util.Comparator.comparingInt((String l) -> editDistance(key, l.toLowerCase(java.util.Locale.ROOT)))
            .thenComparing(l -> l))
        .limit(5)
        .toList();
    return "; the closest: " + String.join(", ", closest);
  }

  /** Levenshtein distance (insertions, deletions and substitutions of one char each). */
  static int editDistance(String a, String b) {
    int[] previous = new int[b.length() + 1];
    int[] current = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      previous[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      current[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int substitute = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
        current[j] = Math.min(substitute, Math.min(previous[j], current[j - 1]) + 1);
      }
      int[] swap = previous;
      previous = current;
      current = swap;
    }
    return previous[b.length()];
  }

  /** Ids of all examples' labels, in order; see {@link #id(Example)}. */
  public int[] ids(List<Example> examples) {
    int[] out = new int[examples.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = id(examples.get(i));
    }
    return out;
  }

  /** {@code id2label} with String keys, as written in {@code config.json}. */
  public Map<String, String> id2label() {
    Map<String, String> out = new LinkedHashMap<>();
    for (int i = 0; i < labels.size(); i++) {
      out.put(Integer.toString(i), labels.get(i));
    }
    return out;
  }

  /** {@code label2id}, in id order, as written in {@code config.json}. */
  public Map<String, Integer> label2id() {
    Map<String, Integer> out = new LinkedHashMap<>();
    for (int i = 0; i < labels.size(); i++) {
      out.put(labels.get(i), i);
    }
    return out;
  }

  private Set<String> labelSet() {
    return new HashSet<>(labels);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof LabelMap other && labels.equals(other.labels);
  }

  @Override
  public int hashCode() {
    return labels.hashCode();
  }

  @Override
  public String toString() {
    return "LabelMap" + labels;
  }
}
