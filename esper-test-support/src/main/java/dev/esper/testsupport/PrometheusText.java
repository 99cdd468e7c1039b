package dev.esper.testsupport;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * A strict reader of Prometheus' exposition formats, for tests: the text format 0.0.4 and OpenMetrics 1.0
 * (text). Every line must follow the grammar, or {@link #parse} throws naming the line: {@code # HELP},
 * {@code # TYPE} (once per family, before its samples; OpenMetrics also {@code # UNIT}) and sample lines
 * {@code name{label="value",...} value [timestamp]} (OpenMetrics: an optional exemplar), with valid metric and
 * label names, escapes ({@code \\}, {@code \"}, {@code \n}) and floats ({@code NaN}, {@code +Inf}, ...). Each
 * sample must belong to a typed family by the suffixes its type allows, no series may repeat, and a
 * histogram's buckets must be cumulative, end with {@code le="+Inf"} and equal its {@code _count}. OpenMetrics
 * must end with {@code # EOF}.
 *
 * <p>Immutable once parsed.
 */
public final class PrometheusText {
    private static final Pattern METRIC_NAME = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");
    private static final Pattern LABEL_NAME = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]*");
    private static final Pattern FLOAT = Pattern.compile(
            "[+-]?(?:Inf|inf|NaN|nan|(?:\\d+\\.?\\d*|\\.\\d+)(?:[eE][+-]?\\d+)?)");
    private static final Pattern TIMESTAMP = Pattern.compile("-?\\d+(?:\\.\\d+)?");
    private static final Set<String> TEXT_TYPES = Set.of("counter", "gauge", "histogram", "summary", "untyped");
    private static final Set<String> OPENMETRICS_TYPES = Set.of("counter", "gauge", "histogram", "gaugehistogram",
            "summary", "info", "stateset", "unknown");

    /**
     * One sample.
     *
     * @param name the sample's metric name (with any suffix, e.g. {@code _bucket})
     * @param labels its labels, in order
     * @param value its value
     */
    public record Sample(String name, Map<String, String> labels, double value) {
    }

    /** The families: name to type, in order. */
    private final Map<String, String> types;
    private final List<Sample> samples;

    private PrometheusText(Map<String, String> types, List<Sample> samples) {
        this.types = types;
        this.samples = samples;
    }

    /**
     * Parses an exposition, strictly.
     *
     * @param text the body of a scrape
     * @param openMetrics whether it is OpenMetrics (else the text format 0.0.4)
     * @throws IllegalArgumentException naming the first line that breaks the grammar, and the rule
     */
    public static PrometheusText parse(String text, boolean openMetrics) {
        Map<String, String> types = new LinkedHashMap<>();
        Map<String, Boolean> helped = new HashMap<>();
        List<Sample> samples = new ArrayList<>();
        Map<String, Boolean> series = new HashMap<>();
        String[] lines = text.split("\n", -1);
        if (!text.endsWith("\n")) {
            throw new IllegalArgumentException("the exposition does not end with a line feed");
        }
        boolean eof = false;
        for (int i = 0; i < lines.length - 1; i++) {
            String line = lines[i];
            String where = "line " + (i + 1) + " '" + line + "': ";
            if (eof) {
                throw new IllegalArgumentException(where + "text after # EOF");
            }
            if (line.isEmpty()) {
                if (openMetrics) {
                    throw new IllegalArgumentException(where + "OpenMetrics has no empty lines");
                }
                continue;
            }
            if (line.startsWith("#")) {
                if (openMetrics && line.equals("# EOF")) {
                    eof = true;
                    continue;
                }
                String[] parts = line.split(" ", 4);
                if (parts.length >= 3 && parts[0].equals("#")
                        && (parts[1].equals("HELP") || parts[1].equals("TYPE") || parts[1].equals("UNIT"))) {
                    String name = parts[2];
                    if (!METRIC_NAME.matcher(name).matches()) {
                        throw new IllegalArgumentException(where + "bad metric name '" + name + "'");
                    }
                    String rest = parts.length == 4 ? parts[3] : "";
                    switch (parts[1]) {
                        case "TYPE" -> {
                            if (!(openMetrics ? OPENMETRICS_TYPES : TEXT_TYPES).contains(rest)) {
                                throw new IllegalArgumentException(where + "unknown type '" + rest + "'");
                            }
                            if (types.containsKey(name)) {
                                throw new IllegalArgumentException(where + "a second TYPE for " + name);
                            }
                            for (Sample s : samples) {
                                if (s.name().equals(name) || s.name().startsWith(name + "_")) {
                                    if (familyOf(s.name(), Map.of(name, rest), openMetrics) != null) {
                                        throw new IllegalArgumentException(where + "TYPE after samples of " + name);
                                    }
                                }
                            }
                            types.put(name, rest);
                        }
                        case "HELP" -> {
                            if (helped.put(name, true) != null) {
                                throw new IllegalArgumentException(where + "a second HELP for " + name);
                            }
                            checkEscapes(where, rest, openMetrics);
                        }
                        default -> {
                            if (!openMetrics) {
                                throw new IllegalArgumentException(where + "UNIT is OpenMetrics only");
                            }
                        }
                    }
                } else if (openMetrics) {
                    throw new IllegalArgumentException(where + "OpenMetrics allows only HELP, TYPE, UNIT and EOF");
                }
                continue;
            }
            Sample s = sample(where, line, openMetrics);
            String family = familyOf(s.name(), types, openMetrics);
            if (family == null) {
                throw new IllegalArgumentException(where + "sample of no TYPE'd family");
            }
            if (series.put(s.name() + s.labels(), true) != null) {
                throw new IllegalArgumentException(where + "the series repeats");
            }
            samples.add(s);
        }
        if (openMetrics && !eof) {
            throw new IllegalArgumentException("OpenMetrics must end with # EOF");
        }
        PrometheusText parsed = new PrometheusText(types, List.copyOf(samples));
        parsed.checkHistograms();
        return parsed;
    }

    /** The family a sample belongs to by the suffixes its type allows, or null. */
    private static String familyOf(String sample, Map<String, String> types, boolean openMetrics) {
        for (Map.Entry<String, String> t : types.entrySet()) {
            String family = t.getKey();
            if (!sample.startsWith(family)) {
                continue;
            }
            String suffix = sample.substring(family.length());
            List<String> allowed = switch (t.getValue()) {
                case "counter" -> openMetrics ? List.of("_total", "_created") : List.of("", "_created");
                case "histogram", "gaugehistogram" -> List.of("_bucket", "_count", "_sum", "_created", "_gcount",
                        "_gsum");
                case "summary" -> List.of("", "_count", "_sum", "_created");
                case "info" -> List.of("_info");
                default -> List.of("");
            };
            if (allowed.contains(suffix)) {
                return family;
            }
        }
        return null;
    }

    private static Sample sample(String where, String line, boolean openMetrics) {
        int p = 0;
        while (p < line.length() && line.charAt(p) != '{' && line.charAt(p) != ' ') {
            p++;
        }
        String name = line.substring(0, p);
        if (!METRIC_NAME.matcher(name).matches()) {
            throw new IllegalArgumentException(where + "bad metric name '" + name + "'");
        }
        Map<String, String> labels = new LinkedHashMap<>();
        if (p < line.length() && line.charAt(p) == '{') {
            p++;
            while (true) {
                if (p < line.length() && line.charAt(p) == '}') {
                    p++;
                    break;
                }
                int eq = line.indexOf('=', p);
                if (eq < 0) {
                    throw new IllegalArgumentException(where + "a label without '='");
                }
                String label = line.substring(p, eq);
                if (!LABEL_NAME.matcher(label).matches()) {
                    throw new IllegalArgumentException(where + "bad label name '" + label + "'");
                }
                if (eq + 1 >= line.length() || line.charAt(eq + 1) != '"') {
                    throw new IllegalArgumentException(where + "a label value must be quoted");
                }
                StringBuilder value = new StringBuilder();
                int q = eq + 2;
                for (;; q++) {
                    if (q >= line.length()) {
                        throw new IllegalArgumentException(where + "an unterminated label value");
                    }
                    char c = line.charAt(q);
                    if (c == '\\') {
                        char next = q + 1 < line.length() ? line.charAt(q + 1) : ' ';
                        if (next != '\\' && next != '"' && next != 'n') {
                            throw new IllegalArgumentException(where + "a bad escape in a label value");
                        }
                        value.append(next == 'n' ? '\n' : next);
                        q++;
                    } else if (c == '"') {
                        break;
                    } else {
                        value.append(c);
                    }
                }
                if (labels.put(label, value.toString()) != null) {
                    throw new IllegalArgumentException(where + "label '" + label + "' twice");
                }
                p = q + 1;
                if (p < line.length() && line.charAt(p) == ',') {
                    p++;
                } else if (p >= line.length() || line.charAt(p) != '}') {
                    throw new IllegalArgumentException(where + "expected ',' or '}' after a label");
                }
            }
        }
        if (p >= line.length() || line.charAt(p) != ' ') {
            throw new IllegalArgumentException(where + "expected one space before the value");
        }
        String rest = line.substring(p + 1);
        String exemplar = null;
        int hash = rest.indexOf(" # ");
        if (openMetrics && hash >= 0) {
            exemplar = rest.substring(hash + 3);
            rest = rest.substring(0, hash);
        }
        String[] fields = rest.split(" ", -1);
        if (fields.length < 1 || fields.length > 2 || !FLOAT.matcher(fields[0]).matches()) {
            throw new IllegalArgumentException(where + "expected a value and an optional timestamp");
        }
        if (fields.length == 2 && !TIMESTAMP.matcher(fields[1]).matches()) {
            throw new IllegalArgumentException(where + "bad timestamp '" + fields[1] + "'");
        }
        if (exemplar != null && !exemplar.startsWith("{")) {
            throw new IllegalArgumentException(where + "bad exemplar");
        }
        return new Sample(name, Map.copyOf(labels), parseFloat(fields[0]));
    }

    private static double parseFloat(String s) {
        String lower = s.toLowerCase(java.util.Locale.ROOT);
        if (lower.endsWith("inf")) {
            return lower.startsWith("-") ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY;
        }
        if (lower.endsWith("nan")) {
            return Double.NaN;
        }
        return Double.parseDouble(s);
    }

    private static void checkEscapes(String where, String text, boolean quotes) {
        for (int i = 0; i < text.length(); i++) {
            if (text.charAt(i) == '\\') {
                char next = i + 1 < text.length() ? text.charAt(i + 1) : ' ';
                if (next != '\\' && next != 'n' && !(quotes && next == '"')) {
                    throw new IllegalArgumentException(where + "a bad escape in HELP");
                }
                i++;
            }
        }
    }

    /** Each histogram series: cumulative buckets ending at +Inf, whose count is {@code _count}. */
    private void checkHistograms() {
        for (Map.Entry<String, String> t : types.entrySet()) {
            if (!t.getValue().equals("histogram")) {
                continue;
            }
            String family = t.getKey();
            Map<Map<String, String>, TreeMap<Double, Double>> buckets = new HashMap<>();
            for (Sample s : samples) {
                if (s.name().equals(family + "_bucket")) {
                    Map<String, String> rest = new TreeMap<>(s.labels());
                    String le = rest.remove("le");
                    if (le == null || !FLOAT.matcher(le).matches()) {
                        throw new IllegalArgumentException(family + ": a bucket without a numeric le: " + s);
                    }
                    buckets.computeIfAbsent(rest, k -> new TreeMap<>()).put(parseFloat(le), s.value());
                }
            }
            for (Map.Entry<Map<String, String>, TreeMap<Double, Double>> b : buckets.entrySet()) {
                double previous = 0;
                for (double count : b.getValue().values()) {
                    if (count < previous) {
                        throw new IllegalArgumentException(family + b.getKey() + ": buckets are not cumulative");
                    }
                    previous = count;
                }
                if (b.getValue().lastKey() != Double.POSITIVE_INFINITY) {
                    throw new IllegalArgumentException(family + b.getKey() + ": no le=\"+Inf\" bucket");
                }
                double count = samples.stream().filter(s -> s.name().equals(family + "_count")
                        && new TreeMap<>(s.labels()).equals(b.getKey())).mapToDouble(Sample::value).findFirst()
                        .orElseThrow(() -> new IllegalArgumentException(family + b.getKey() + ": no _count"));
                if (count != b.getValue().lastEntry().getValue()) {
                    throw new IllegalArgumentException(family + b.getKey() + ": the +Inf bucket is not the count");
                }
            }
        }
    }

    /** The families and their types, in order. */
    public Map<String, String> types() {
        return types;
    }

    /** Every sample, in order. */
    public List<Sample> samples() {
        return samples;
    }

    /**
     * The value of the one sample with this name and these labels (name/value pairs; other labels ignored).
     *
     * @throws AssertionError if there is not exactly one
     */
    public double value(String name, String... labels) {
        List<Sample> found = new ArrayList<>();
        for (Sample s : samples) {
            if (!s.name().equals(name)) {
                continue;
            }
            boolean match = true;
            for (int i = 0; i + 1 < labels.length; i += 2) {
                match &= labels[i + 1].equals(s.labels().get(labels[i]));
            }
            if (match) {
                found.add(s);
            }
        }
        if (found.size() != 1) {
            throw new AssertionError("expected one sample " + name + " " + List.of(labels) + ", found " + found);
        }
        return found.get(0).value();
    }
}
