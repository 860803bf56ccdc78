// make_strategy(): from a StrategySpec (strings from configuration) to a
// running SignalStrategy. Every field and parameter is checked and every
// problem reported at once, with its path in the configuration entry
// ("params.fast", "params.members[1].params.n", "qty"), so a user fixes a
// config in one round. Defaults are the table's in docs/backtest-semantics.md.
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "strategies/ensemble.h"
#include "strategies/param_parse.h"
#include "strategies/position_sizing.h"
#include "strategies/rules.h"
#include "strategies/signal_strategy.h"
#include "strategies/spec.h"

namespace td::strategies {

namespace {

// Longest period accepted: a window is allocated per symbol up front, so an
// absurd period (a typo such as 2000000) must not reach the allocator.
constexpr int64_t kMaxPeriod = 100'000;

// A parameter value that is either valid or already reported. (Not
// std::optional: GCC's -Wmaybe-uninitialized misfires on optional<double>.)
template <class T>
struct Checked {
  bool ok = false;
  T value{};
  static Checked of(T v) { return Checked{true, v}; }
  explicit operator bool() const { return ok; }
  const T& operator*() const { return value; }
  void reset() { ok = false; }
};

// Reads the parameters of one rule, recording which names it knows, and
// appends a ParamError (path = prefix + name) for every bad value.
class ParamReader {
 public:
  ParamReader(const std::map<std::string, std::string>& params, std::string prefix,
              std::vector<ParamError>& errors)
      : params_(params), prefix_(std::move(prefix)), errors_(errors), start_(errors.size()) {}

  // An integer >= 1 (an indicator period); `def` when absent.
  Checked<int> period(const std::string& name, int def) {
    const std::string* raw = lookup(name);
    if (!raw) return Checked<int>::of(def);
    const std::optional<int64_t> v = parse_integer(*raw);
    if (!v || *v < 1) {
      error(name, fmt::format("must be an integer >= 1, got \"{}\"", *raw));
      return {};
    }
    if (*v > kMaxPeriod) {
      error(name, fmt::format("must be at most {}, got \"{}\"", kMaxPeriod, *raw));
      return {};
    }
    return Checked<int>::of(static_cast<int>(*v));
  }

  // An integer in [lo, hi]; `def` when absent. `range` explains the bounds.
  Checked<int> integer(const std::string& name, int def, int64_t lo, int64_t hi,
                       std::string_view range) {
    const std::string* raw = lookup(name);
    if (!raw) return Checked<int>::of(def);
    const std::optional<int64_t> v = parse_integer(*raw);
    if (!v || *v < lo || *v > hi) {
      error(name, fmt::format("must be an integer {}, got \"{}\"", range, *raw));
      return {};
    }
    return Checked<int>::of(static_cast<int>(*v));
  }

  // A finite number; `def` when absent. Range checks are the caller's.
  Checked<double> real(const std::string& name, double def) {
    const std::string* raw = lookup(name);
    if (!raw) return Checked<double>::of(def);
    const std::optional<double> v = parse_real(*raw);
    if (!v) {
      error(name, fmt::format("must be a number, got \"{}\"", *raw));
      return {};
    }
    return Checked<double>::of(*v);
  }

  void error(const std::string& name, std::string message) {
    errors_.push_back(ParamError{prefix_ + name, std::move(message)});
  }

  // Whether any error was added through this reader (or after it was made).
  bool failed() const { return errors_.size() > start_; }

  // One "unknown parameter" error per name that no read asked for.
  void report_unknown() {
    for (const auto& [name, value] : params_) {
      if (std::find(known_.begin(), known_.end(), name) == known_.end()) {
        error(name, "unknown parameter");
      }
    }
  }

 private:
  const std::string* lookup(const std::string& name) {
    known_.push_back(name);
    const auto it = params_.find(name);
    return it == params_.end() ? nullptr : &it->second;
  }

  const std::map<std::string, std::string>& params_;
  std::string prefix_;
  std::vector<ParamError>& errors_;
  size_t start_;
  std::vector<std::string> known_;
};

template <class Model, class Params>
ModelFactory factory_of(const Params& p, bool allow_short) {
  return [p, allow_short]() -> std::unique_ptr<SignalModel> {
    return std::make_unique<Model>(p, allow_short);
  };
}

// Real-valued range checks share their wording.
void require_positive(ParamReader& r, const std::string& name, Checked<double>& v) {
  if (v && !(*v > 0)) {
    r.error(name, fmt::format("must be > 0, got {}", *v));
    v.reset();
  }
}

std::optional<ModelFactory> build_sma_cross(ParamReader& r, bool allow_short) {
  const SmaCrossParams d;
  const auto fast = r.period("fast", d.fast);
  const auto slow = r.period("slow", d.slow);
  if (fast && slow && *fast >= *slow) {
    r.error("fast", fmt::format("must be less than slow ({}), got {}", *slow, *fast));
  }
  if (r.failed()) return std::nullopt;
  return factory_of<SmaCrossModel>(SmaCrossParams{*fast, *slow}, allow_short);
}

std::optional<ModelFactory> build_rsi_reversion(ParamReader& r, bool allow_short) {
  const RsiReversionParams d;
  const auto n = r.period("n", d.n);
  auto buy_below = r.real("buy_below", d.buy_below);
  auto sell_above = r.real("sell_above", d.sell_above);
  for (auto* level : {&buy_below, &sell_above}) {
    if (*level && !(**level > 0 && **level < 100)) {
      r.error(level == &buy_below ? "buy_below" : "sell_above",
              fmt::format("must be between 0 and 100 (exclusive), got {}", **level));
      level->reset();
    }
  }
  if (buy_below && sell_above && !(*buy_below < *sell_above)) {
    r.error("buy_below",
            fmt::format("must be less than sell_above ({}), got {}", *sell_above, *buy_below));
  }
  if (r.failed()) return std::nullopt;
  return factory_of<RsiReversionModel>(RsiReversionParams{*n, *buy_below, *sell_above},
                                       allow_short);
}

std::optional<ModelFactory> build_macd(ParamReader& r, bool allow_short) {
  const MacdParams d;
  const auto fast = r.period("fast", d.fast);
  const auto slow = r.period("slow", d.slow);
  const auto signal = r.period("signal", d.signal);
  if (fast && slow && *fast >= *slow) {
    r.error("fast", fmt::format("must be less than slow ({}), got {}", *slow, *fast));
  }
  if (r.failed()) return std::nullopt;
  return factory_of<MacdModel>(MacdParams{*fast, *slow, *signal}, allow_short);
}

std::optional<ModelFactory> build_bollinger_reversion(ParamReader& r, bool allow_short) {
  const BollingerReversionParams d;
  const auto n = r.period("n", d.n);
  auto k = r.real("k", d.k);
  require_positive(r, "k", k);
  if (r.failed()) return std::nullopt;
  return factory_of<BollingerReversionModel>(BollingerReversionParams{*n, *k}, allow_short);
}

std::optional<ModelFactory> build_zscore_reversion(ParamReader& r, bool allow_short) {
  const ZScoreReversionParams d;
  const auto n = r.period("n", d.n);
  auto entry = r.real("entry", d.entry);
  auto exit = r.real("exit", d.exit);
  require_positive(r, "entry", entry);
  if (exit && !(*exit >= 0)) {
    r.error("exit", fmt::format("must be >= 0, got {}", *exit));
    exit.reset();
  }
  if (entry && exit && !(*exit < *entry)) {
    r.error("exit", fmt::format("must be less than entry ({}), got {}", *entry, *exit));
  }
  if (r.failed()) return std::nullopt;
  return factory_of<ZScoreReversionModel>(ZScoreReversionParams{*n, *entry, *exit}, allow_short);
}

using RuleBuilder = std::optional<ModelFactory> (*)(ParamReader&, bool allow_short);

struct RuleType {
  std::string_view name;
  RuleBuilder build;
};

constexpr RuleType kRules[] = {
    {"sma_cross", build_sma_cross},
    {"rsi_reversion", build_rsi_reversion},
    {"macd", build_macd},
    {"bollinger_reversion", build_bollinger_reversion},
    {"zscore_reversion", build_zscore_reversion},
};
constexpr std::string_view kEnsemble = "ensemble";

RuleBuilder find_rule(std::string_view type) {
  for (const RuleType& t : kRules) {
    if (t.name == type) return t.build;
  }
  return nullptr;
}

std::string unknown_type_message(const std::string& type) {
  const std::string known = fmt::format("{}", fmt::join(strategy_types(), ", "));
  if (type.empty()) return fmt::format("is required; one of: {}", known);
  return fmt::format("unknown strategy type \"{}\"; one of: {}", type, known);
}

// Members are type + params: everything else comes from the ensemble entry.
void check_member_fields(const StrategySpec& m, const std::string& prefix,
                         std::vector<ParamError>& errors) {
  const auto refuse = [&](const char* field, const char* why) {
    errors.push_back(
        ParamError{prefix + field, fmt::format("not allowed in an ensemble member: {}", why)});
  };
  if (!m.symbols.empty()) refuse("symbols", "the ensemble's symbols are traded");
  if (m.qty != Decimal::from_int(1)) refuse("qty", "the ensemble's qty is traded");
  if (m.notional) refuse("notional", "the ensemble's notional is traded");
  if (m.allow_short) refuse("allow_short", "set allow_short on the ensemble");
}

std::optional<ModelFactory> build_ensemble(const StrategySpec& spec, ParamReader& r,
                                           std::vector<ParamError>& errors) {
  if (spec.members.empty()) r.error("members", "an ensemble needs at least one member");
  std::vector<ModelFactory> members;
  for (size_t i = 0; i < spec.members.size(); ++i) {
    const StrategySpec& m = spec.members[i];
    const std::string prefix = fmt::format("params.members[{}].", i);
    if (m.type == kEnsemble) {
      errors.push_back(
          ParamError{prefix + "type", "an ensemble cannot be a member of an ensemble"});
      continue;
    }
    check_member_fields(m, prefix, errors);
    const RuleBuilder build = find_rule(m.type);
    if (!build) {
      errors.push_back(ParamError{prefix + "type", unknown_type_message(m.type)});
      continue;
    }
    ParamReader member_params(m.params, prefix + "params.", errors);
    if (auto f = build(member_params, spec.allow_short)) members.push_back(std::move(*f));
    member_params.report_unknown();
  }
  const int64_t n = static_cast<int64_t>(spec.members.size());
  const int majority = static_cast<int>(n / 2 + 1);
  const std::string range =
      n == 0 ? std::string(">= 1") : fmt::format("from 1 to {} (the number of members)", n);
  const auto min_votes = r.integer("min_votes", majority, 1, std::max<int64_t>(n, 1), range);
  if (r.failed()) return std::nullopt;
  const int votes = *min_votes;
  return ModelFactory([members = std::move(members), votes]() -> std::unique_ptr<SignalModel> {
    std::vector<std::unique_ptr<SignalModel>> models;
    models.reserve(members.size());
    for (const ModelFactory& f : members) models.push_back(f());
    return std::make_unique<EnsembleModel>(std::move(models), votes);
  });
}

void check_symbols(const std::vector<Symbol>& symbols, std::vector<ParamError>& errors) {
  if (symbols.empty()) {
    errors.push_back(ParamError{"symbols", "at least one symbol is required"});
    return;
  }
  for (size_t i = 0; i < symbols.size(); ++i) {
    const std::string path = fmt::format("symbols[{}]", i);
    if (symbols[i].empty()) {
      errors.push_back(ParamError{path, "must not be empty"});
    } else if (std::find(symbols.begin(), symbols.begin() + static_cast<std::ptrdiff_t>(i),
                         symbols[i]) != symbols.begin() + static_cast<std::ptrdiff_t>(i)) {
      errors.push_back(ParamError{path, fmt::format("duplicate symbol \"{}\"", symbols[i])});
    }
  }
}

}  // namespace

const std::vector<std::string>& strategy_types() {
  static const std::vector<std::string> types = [] {
    std::vector<std::string> v;
    for (const RuleType& t : kRules) v.emplace_back(t.name);
    v.emplace_back(kEnsemble);
    return v;
  }();
  return types;
}

MakeResult make_strategy(const StrategySpec& spec) {
  std::vector<ParamError> errors;
  const bool is_ensemble = spec.type == kEnsemble;
  const RuleBuilder build = find_rule(spec.type);
  if (!is_ensemble && !build) errors.push_back(ParamError{"type", unknown_type_message(spec.type)});

  check_symbols(spec.symbols, errors);
  if (spec.qty.sign() <= 0) {
    errors.push_back(ParamError{"qty", fmt::format("must be > 0, got {}", spec.qty)});
  }
  if (spec.notional && spec.notional->sign() <= 0) {
    errors.push_back(
        ParamError{"notional", fmt::format("must be > 0 when set, got {}", *spec.notional)});
  }

  std::optional<ModelFactory> factory;
  ParamReader params(spec.params, "params.", errors);
  if (is_ensemble) {
    factory = build_ensemble(spec, params, errors);
    params.report_unknown();
  } else if (build) {
    if (!spec.members.empty()) {
      errors.push_back(
          ParamError{"params.members", "unknown parameter: only an ensemble has members"});
    }
    factory = build(params, spec.allow_short);
    params.report_unknown();
  }

  if (!errors.empty()) return tl::unexpected(std::move(errors));
  return std::make_unique<SignalStrategy>(spec.symbols, *factory,
                                          PositionSizing{spec.qty, spec.notional});
}

}  // namespace td::strategies
