#include "app/cli/sweep_plan.hpp"

#include <algorithm>
#include <cmath>
#include <iomanip>
#include <limits>
#include <set>
#include <sstream>

#include "core/flag_integer.hpp"

namespace spikecube::cli {
namespace {

std::string trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return std::string(s);
}

std::vector<std::string> split(std::string_view s, char sep) {
  std::vector<std::string> parts;
  std::size_t start = 0;
  while (true) {
    const auto at = s.find(sep, start);
    parts.push_back(trim(s.substr(start, at == std::string_view::npos ? std::string_view::npos : at - start)));
    if (at == std::string_view::npos) break;
    start = at + 1;
  }
  return parts;
}

// One seed of the list, with run.seed's range and wording (as `run --seed`
// checks it), so a sweep never plans a run that `run` would refuse.
std::uint64_t parse_seed(const std::string& text) {
  return static_cast<std::uint64_t>(parse_flag_for_key("--seeds", text, "run.seed"));
}

std::string csv_field(const std::string& s) {
  if (s.find_first_of(",\"\n") == std::string::npos) return s;
  std::string q = "\"";
  for (char c : s) {
    if (c == '"') q += '"';
    q += c;
  }
  return q + "\"";
}

std::vector<std::string> parse_csv_line(const std::string& line) {
  std::vector<std::string> out;
  std::string cur;
  bool quoted = false;
  for (std::size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (quoted) {
      if (c == '"' && i + 1 < line.size() && line[i + 1] == '"') {
        cur += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        cur += c;
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      out.push_back(cur);
      cur.clear();
    } else {
      cur += c;
    }
  }
  out.push_back(cur);
  return out;
}

std::string format_number(double v) {
  std::ostringstream os;
  os << std::setprecision(4) << v;
  return os.str();
}

}  // namespace

GridAxis parse_grid_axis(const std::string& text) {
  const auto eq = text.find('=');
  if (eq == std::string::npos || eq == 0 || eq + 1 == text.size()) {
    throw ConfigError("--grid: '" + text + "' is not KEY=V1,V2,...; e.g. --grid model.depth=4,8,16");
  }
  GridAxis axis{trim(std::string_view(text).substr(0, eq)), split(std::string_view(text).substr(eq + 1), ',')};
  if (find_param(axis.key) == nullptr) {
    throw ConfigError("--grid: unknown key '" + axis.key + "' (spikecube-cli params lists every key)");
  }
  std::set<std::string> seen;
  for (const auto& v : axis.values) {
    if (v.empty()) throw ConfigError("--grid " + axis.key + ": an empty value in '" + text + "'");
    if (!seen.insert(v).second) throw ConfigError("--grid " + axis.key + ": value '" + v + "' is given twice");
  }
  return axis;
}

std::vector<std::uint64_t> parse_seed_list(const std::string& text) {
  std::vector<std::uint64_t> seeds;
  for (const auto& part : split(text, ',')) {
    const auto dash = part.find('-', 1);
    if (dash == std::string::npos) {
      seeds.push_back(parse_seed(part));
      continue;
    }
    const std::uint64_t a = parse_seed(trim(part.substr(0, dash)));
    const std::uint64_t b = parse_seed(trim(part.substr(dash + 1)));
    if (b < a) throw ConfigError("--seeds: range '" + part + "' runs backwards; expected A-B with A <= B");
    if (b - a >= 100000) throw ConfigError("--seeds: range '" + part + "' has more than 100000 seeds");
    for (std::uint64_t s = a;; ++s) {
      seeds.push_back(s);
      if (s == b) break;
    }
  }
  std::set<std::uint64_t> seen;
  for (auto s : seeds) {
    if (!seen.insert(s).second)
      throw ConfigError("--seeds: seed " + std::to_string(s) + " is given twice in '" + text + "'");
  }
  return seeds;
}

std::string SweepRun::label(const std::vector<GridAxis>& axes) const {
  std::string s;
  for (std::size_t i = 0; i < axes.size(); ++i) s += axes[i].key + "=" + values[i] + " ";
  return s + "seed=" + std::to_string(seed);
}

std::string SweepRun::folder(const std::vector<GridAxis>& axes) const {
  std::string s;
  for (std::size_t i = 0; i < axes.size(); ++i) s += axes[i].key + "=" + values[i] + "_";
  s += "seed=" + std::to_string(seed);
  for (char& c : s) {
    const bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
                       c == '=' || c == '_' || c == '-';
    if (!plain) c = '_';
  }
  return s;
}

std::vector<SweepRun> expand_sweep(const std::vector<GridAxis>& axes, const std::vector<std::uint64_t>& seeds) {
  std::vector<SweepRun> runs;
  std::vector<std::size_t> digit(axes.size(), 0);
  while (true) {
    SweepRun run;
    for (std::size_t i = 0; i < axes.size(); ++i) run.values.push_back(axes[i].values[digit[i]]);
    for (auto s : seeds) {
      run.seed = s;
      runs.push_back(run);
    }
    // odometer with the last axis fastest
    std::size_t i = axes.size();
    while (i > 0) {
      --i;
      if (++digit[i] < axes[i].values.size()) break;
      digit[i] = 0;
      if (i == 0) return runs;
    }
    if (axes.empty()) return runs;
  }
}

Config config_for_run(const Config& base, const std::vector<GridAxis>& axes, const SweepRun& run) {
  Config cfg = base;
  for (std::size_t i = 0; i < axes.size(); ++i) apply_override(cfg, axes[i].key + "=" + run.values[i]);
  cfg.seed = run.seed;
  validate(cfg);
  return cfg;
}

void ResultTable::add(const std::map<std::string, std::string>& row, const std::vector<std::string>& order) {
  for (const auto& c : order) {
    if (std::find(columns.begin(), columns.end(), c) == columns.end()) columns.push_back(c);
  }
  rows.push_back(row);
}

std::string ResultTable::to_csv() const {
  std::ostringstream out;
  for (std::size_t i = 0; i < columns.size(); ++i) out << (i ? "," : "") << csv_field(columns[i]);
  out << "\n";
  for (const auto& row : rows) {
    for (std::size_t i = 0; i < columns.size(); ++i) {
      const auto it = row.find(columns[i]);
      out << (i ? "," : "") << csv_field(it == row.end() ? std::string() : it->second);
    }
    out << "\n";
  }
  return out.str();
}

ResultTable ResultTable::from_csv(const std::string& text) {
  ResultTable t;
  std::istringstream in(text);
  std::string line;
  if (!std::getline(in, line)) return t;
  t.columns = parse_csv_line(line);
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    const auto fields = parse_csv_line(line);
    if (fields.size() != t.columns.size()) {
      throw ConfigError("results.csv: a row has " + std::to_string(fields.size()) + " fields where the header has " +
                        std::to_string(t.columns.size()));
    }
    std::map<std::string, std::string> row;
    for (std::size_t i = 0; i < fields.size(); ++i) row[t.columns[i]] = fields[i];
    t.rows.push_back(std::move(row));
  }
  return t;
}

const std::map<std::string, std::string>* ResultTable::find(const std::vector<GridAxis>& axes,
                                                            const SweepRun& run) const {
  for (const auto& row : rows) {
    bool same = row.count("seed") && row.at("seed") == std::to_string(run.seed);
    for (std::size_t i = 0; same && i < axes.size(); ++i) {
      const auto it = row.find(axes[i].key);
      same = it != row.end() && it->second == run.values[i];
    }
    if (same) return &row;
  }
  return nullptr;
}

std::vector<std::pair<std::string, std::string>> read_flat_json(const std::string& text) {
  std::vector<std::pair<std::string, std::string>> out;
  std::size_t i = text.find('{');
  if (i == std::string::npos) throw ConfigError("summary.json: not a JSON object");
  ++i;
  auto skip = [&] {
    while (i < text.size() && (text[i] == ' ' || text[i] == '\n' || text[i] == '\r' || text[i] == '\t')) ++i;
  };
  auto string_at = [&] {
    if (i >= text.size() || text[i] != '"') throw ConfigError("summary.json: expected a string");
    const auto end = text.find('"', i + 1);
    if (end == std::string::npos) throw ConfigError("summary.json: unterminated string");
    std::string s = text.substr(i + 1, end - i - 1);
    i = end + 1;
    return s;
  };
  while (true) {
    skip();
    if (i < text.size() && text[i] == '}') return out;
    std::string key = string_at();
    skip();
    if (i >= text.size() || text[i] != ':') throw ConfigError("summary.json: expected ':' after \"" + key + "\"");
    ++i;
    skip();
    std::string value;
    if (i < text.size() && text[i] == '"') {
      value = string_at();
    } else {
      const auto end = text.find_first_of(",}\n", i);
      if (end == std::string::npos) throw ConfigError("summary.json: unterminated value of \"" + key + "\"");
      value = trim(std::string_view(text).substr(i, end - i));
      i = end;
    }
    out.emplace_back(std::move(key), std::move(value));
    skip();
    if (i < text.size() && text[i] == ',') ++i;
  }
}

Spread spread_of(std::vector<double> values, bool minus_one_is_never) {
  Spread s;
  s.count = static_cast<int>(values.size());
  if (values.empty()) return s;
  if (minus_one_is_never) {
    for (double& v : values) {
      if (v < 0) v = std::numeric_limits<double>::infinity();
    }
  }
  std::sort(values.begin(), values.end());
  const std::size_t n = values.size();
  // the lower median for an even count, so a learning time is one that a run reached
  s.median = values[(n - 1) / 2];
  s.min = values.front();
  s.max = values.back();
  return s;
}

std::string summary_table(const std::vector<GridAxis>& axes, const ResultTable& results) {
  struct Metric {
    const char* name;
    bool never;
  };
  static constexpr Metric kMetrics[] = {
      {"first_iou80", true}, {"resume_iou80", true}, {"iou100_final", false}, {"fire_final", false}};

  auto show = [](double v) { return std::isinf(v) ? std::string("never") : format_number(v); };
  std::ostringstream md;
  md << "|";
  for (const auto& a : axes) md << " " << a.key << " |";
  md << " runs |";
  for (const auto& m : kMetrics) md << " " << m.name << " |";
  md << "\n|";
  for (std::size_t i = 0; i < axes.size() + 1 + std::size(kMetrics); ++i) md << "---|";
  md << "\n";

  // combinations in the order they first appear in results.csv
  std::vector<std::vector<std::string>> combos;
  for (const auto& row : results.rows) {
    std::vector<std::string> key;
    for (const auto& a : axes) key.push_back(row.count(a.key) ? row.at(a.key) : "");
    if (std::find(combos.begin(), combos.end(), key) == combos.end()) combos.push_back(key);
  }
  for (const auto& key : combos) {
    std::vector<const std::map<std::string, std::string>*> rows;
    for (const auto& row : results.rows) {
      bool same = !row.count("status") || row.at("status") == "ok";
      for (std::size_t i = 0; same && i < axes.size(); ++i)
        same = row.count(axes[i].key) && row.at(axes[i].key) == key[i];
      if (same) rows.push_back(&row);
    }
    md << "|";
    for (const auto& v : key) md << " " << v << " |";
    md << " " << rows.size() << " |";
    for (const auto& m : kMetrics) {
      std::vector<double> values;
      for (const auto* row : rows) {
        const auto it = row->find(m.name);
        if (it != row->end() && !it->second.empty()) values.push_back(std::stod(it->second));
      }
      const bool relearning = std::string_view(m.name).starts_with("resume");
      const bool any_return = std::any_of(rows.begin(), rows.end(), [](const auto* row) {
        return !row->count("input_returns") || row->at("input_returns") == "yes";
      });
      const Spread s = spread_of(values, m.never);
      if (s.count == 0 || (relearning && !any_return)) {
        md << " - |";
      } else {
        md << " " << show(s.median) << " [" << show(s.min) << ", " << show(s.max) << "] |";
      }
    }
    md << "\n";
  }
  md << "\nEach cell: median [min, max] over the combination's seeds; \"never\": the level was not reached;"
        " \"-\": not measured (no run of the combination has its input come back after an off window).\n";
  return md.str();
}

}  // namespace spikecube::cli
