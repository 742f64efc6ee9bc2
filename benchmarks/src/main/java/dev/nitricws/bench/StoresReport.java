package dev.nitricws.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import java.util.stream.Stream;

/**
 * Puts one run of {@code stores.sh} together: the JMH results ({@code jmh/*.json}) beside the
 * servers' tools ({@code tools.csv}: {@code tool,op,callers,run,ops_per_s,detail}), into {@code
 * results.csv} and {@code summary.md} in the same folder. A ratio is the registry's operations per
 * second over the tool's (the mean of its runs), both from this run; its range pairs the slowest
 * registry iteration with the fastest tool run and the other way round, and the spreads say how far
 * apart the registry's measurement iterations and the tool's runs were ((max - min) / mean).
 */
final class StoresReport {

  /** The issue's targets: the registry's rate at least this share of its server tool's. */
  static final Map<String, Double> TARGETS = Map.of("redis", 0.7, "postgres", 0.8);
  static final Map<String, String> TOOLS = Map.of("redis", "redis-benchmark", "postgres", "pgbench");
  static final List<String> OPS = List.of("register", "unregister", "find", "scan");

  private StoresReport() {}

  record Registry(String op, String store, int callers, double score, double error, double min, double max,
      double idsPerSecond, double starved) {}

  record Tool(String tool, String op, int callers, String run, double opsPerSecond, String detail) {}

  static void write(Path dir) throws IOException {
    List<Registry> registries = readJmh(dir.resolve("jmh"));
    List<Tool> tools = readTools(dir.resolve("tools.csv"));
    StringBuilder csv = new StringBuilder("op,store,callers,registry_ops_per_s,registry_error_99,registry_iter_min,"
        + "registry_iter_max,ids_per_s,starved,tool,tool_ops_per_s,tool_runs,tool_min,tool_max,ratio,ratio_low,"
        + "ratio_high,target\n");
    StringBuilder ratios = new StringBuilder();
    ratios.append("| store | op | callers | registry ops/s | tool | tool ops/s (runs) | ratio | range | target"
        + " | spread registry / tool |\n");
    ratios.append("|---|---|---:|---:|---|---:|---:|---|---:|---|\n");
    StringBuilder all = new StringBuilder();
    all.append("| op | store | callers | ops/s | ± (99.9%) | iterations min–max | ids/s |\n");
    all.append("|---|---|---:|---:|---:|---|---:|\n");
    registries.sort(Comparator.comparing((Registry r) -> OPS.indexOf(r.op())).thenComparing(r -> List.of(BenchStore.NAMES).indexOf(r.store()))
        .thenComparingInt(Registry::callers));
    for (Registry r : registries) {
      String toolName = TOOLS.get(r.store());
      List<Tool> runs = toolName == null ? List.of() : tools.stream()
          .filter(t -> t.tool().equals(toolName) && t.op().equals(r.op()) && t.callers() == r.callers()).toList();
      double toolMean = runs.stream().mapToDouble(Tool::opsPerSecond).average().orElse(Double.NaN);
      double toolMin = runs.stream().mapToDouble(Tool::opsPerSecond).min().orElse(Double.NaN);
      double toolMax = runs.stream().mapToDouble(Tool::opsPerSecond).max().orElse(Double.NaN);
      double ratio = r.score() / toolMean;
      double low = r.min() / toolMax;
      double high = r.max() / toolMin;
      Double target = TARGETS.get(r.store());
      csv.append(String.join(",", r.op(), r.store(), Integer.toString(r.callers()), num(r.score()), num(r.error()),
          num(r.min()), num(r.max()), num(r.idsPerSecond()), num(r.starved()), toolName == null ? "" : toolName,
          num(toolMean), Integer.toString(runs.size()), num(toolMin), num(toolMax), ratio(ratio), ratio(low),
          ratio(high), target == null ? "" : ratio(target))).append('\n');
      all.append("| ").append(r.op()).append(" | ").append(r.store()).append(" | ").append(r.callers()).append(" | ")
          .append(big(r.score())).append(" | ").append(big(r.error())).append(" | ").append(big(r.min())).append("–")
          .append(big(r.max())).append(" | ").append(Double.isNaN(r.idsPerSecond()) ? "" : big(r.idsPerSecond()))
          .append(r.starved() > 0 ? " (starved: " + big(r.starved()) + ")" : "").append(" |\n");
      if (toolName != null) {
        ratios.append("| ").append(r.store()).append(" | ").append(r.op()).append(" | ").append(r.callers()).append(" | ")
            .append(big(r.score())).append(" | ").append(toolName).append(" | ").append(big(toolMean)).append(" (");
        for (int i = 0; i < runs.size(); i++) {
          Tool t = runs.get(i);
          ratios.append(i == 0 ? "" : ", ").append(big(t.opsPerSecond()))
              .append(t.detail().isBlank() ? "" : " " + t.detail());
        }
        ratios.append(") | **").append(ratio(ratio)).append("** | ").append(ratio(low)).append("–").append(ratio(high))
            .append(" | ").append(target == null ? "" : (ratio >= target ? "≥ " : "< ") + ratio(target))
            .append(" | ").append(spread(r.min(), r.max(), r.score())).append(" / ").append(spread(toolMin, toolMax, toolMean))
            .append(" |\n");
      }
    }
    Files.writeString(dir.resolve("results.csv"), csv.toString());
    String header = Files.exists(dir.resolve("run.md")) ? Files.readString(dir.resolve("run.md")) + "\n" : "";
    Files.writeString(dir.resolve("summary.md"), header
        + "## Registry over the server's own tool (operations per second, same run)\n\n" + ratios
        + "\n## Every registry (JMH, operations per second)\n\n" + all);
  }

  private static List<Registry> readJmh(Path dir) throws IOException {
    ObjectMapper json = new ObjectMapper();
    List<Registry> out = new ArrayList<>();
    if (!Files.isDirectory(dir)) {
      return out;
    }
    List<Path> files;
    try (Stream<Path> list = Files.list(dir)) {
      files = list.filter(p -> p.toString().endsWith(".json")).sorted().toList();
    }
    for (Path file : files) {
      for (JsonNode b : json.readTree(file.toFile())) {
        String name = b.path("benchmark").asText();
        String op = name.substring(name.lastIndexOf('.') + 1);
        JsonNode primary = b.path("primaryMetric");
        double min = Double.POSITIVE_INFINITY;
        double max = Double.NEGATIVE_INFINITY;
        for (JsonNode fork : primary.path("rawData")) {
          for (JsonNode v : fork) {
            min = Math.min(min, v.asDouble());
            max = Math.max(max, v.asDouble());
          }
        }
        JsonNode secondary = b.path("secondaryMetrics");
        out.add(new Registry(op, b.path("params").path("store").asText(), b.path("threads").asInt(),
            primary.path("score").asDouble(), primary.path("scoreError").asDouble(Double.NaN), min, max,
            secondary.has("ids") ? secondary.path("ids").path("score").asDouble() : Double.NaN,
            secondary.has("starved") ? secondary.path("starved").path("score").asDouble() : 0));
      }
    }
    return out;
  }

  private static List<Tool> readTools(Path file) throws IOException {
    List<Tool> out = new ArrayList<>();
    if (!Files.exists(file)) {
      return out;
    }
    List<String> lines = Files.readAllLines(file);
    for (String line : lines.subList(1, lines.size())) {
      String[] f = line.split(",", 6);
      if (f.length >= 5 && !f[4].isBlank()) {
        out.add(new Tool(f[0], f[1], Integer.parseInt(f[2]), f[3], Double.parseDouble(f[4]), f.length > 5 ? f[5] : ""));
      }
    }
    return out;
  }

  /** (max - min) / mean, in per cent: how far apart the iterations (or the tool's runs) were. */
  private static String spread(double min, double max, double mean) {
    double v = (max - min) / mean * 100;
    return Double.isNaN(v) || Double.isInfinite(v) ? "n/a" : String.format(Locale.ROOT, "%.0f%%", v);
  }

  private static String num(double v) {
    return Double.isNaN(v) || Double.isInfinite(v) ? "" : String.format(Locale.ROOT, "%.1f", v);
  }

  private static String ratio(double v) {
    return Double.isNaN(v) || Double.isInfinite(v) ? "n/a" : String.format(Locale.ROOT, "%.2f", v);
  }

  private static String big(double v) {
    if (Double.isNaN(v) || Double.isInfinite(v)) {
      return "n/a";
    }
    return v >= 100 ? String.format(Locale.ROOT, "%,.0f", v) : String.format(Locale.ROOT, "%.1f", v);
  }

}
