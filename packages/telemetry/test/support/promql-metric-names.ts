/**
 * Extracts the metric names a PromQL expression selects, for checking dashboards against the
 * registry. It drops functions and aggregations, keywords (by, without, on, ignoring,
 * group_left, group_right, bool, offset, and/or/unless), grouping label lists, label matchers,
 * range and subquery selectors, strings, numbers, durations and Grafana variables.
 */
const FUNCTIONS = new Set([
  'abs', 'absent', 'absent_over_time', 'acos', 'acosh', 'asin', 'asinh', 'atan', 'atanh', 'avg_over_time', 'ceil',
  'changes', 'clamp', 'clamp_max', 'clamp_min', 'cos', 'cosh', 'count_over_time', 'day_of_month', 'day_of_week',
  'day_of_year', 'days_in_month', 'deg', 'delta', 'deriv', 'exp', 'floor', 'histogram_quantile', 'holt_winters',
  'hour', 'idelta', 'increase', 'irate', 'label_join', 'label_replace', 'last_over_time', 'ln', 'log10', 'log2',
  'max_over_time', 'min_over_time', 'minute', 'month', 'pi', 'predict_linear', 'present_over_time',
  'quantile_over_time', 'rad', 'rate', 'resets', 'round', 'scalar', 'sgn', 'sin', 'sinh', 'sort', 'sort_desc', 'sqrt',
  'stddev_over_time', 'stdvar_over_time', 'sum_over_time', 'tan', 'tanh', 'time', 'timestamp', 'vector', 'year',
]);
const AGGREGATIONS = new Set([
  'sum', 'min', 'max', 'avg', 'group', 'stddev', 'stdvar', 'count', 'count_values', 'bottomk', 'topk', 'quantile',
]);
const KEYWORDS = new Set(['and', 'or', 'unless', 'bool', 'offset', 'inf', 'nan', 'atan2']);
const GROUPING = new Set(['by', 'without', 'on', 'ignoring', 'group_left', 'group_right']);

/** Removes a bracketed block starting at `open` (aware of quotes), returning the index after it. */
function skipBlock(expr: string, start: number, open: string, close: string): number {
  let depth = 0;
  for (let i = start; i < expr.length; i++) {
    const c = expr[i];
    if (c === '"' || c === "'" || c === '`') {
      i = skipString(expr, i);
      continue;
    }
    if (c === open) depth++;
    else if (c === close && --depth === 0) return i + 1;
  }
  throw new Error(`unbalanced ${open}${close} in: ${expr}`);
}

function skipString(expr: string, start: number): number {
  const quote = expr[start];
  for (let i = start + 1; i < expr.length; i++) {
    if (expr[i] === '\\' && quote !== '`') i++;
    else if (expr[i] === quote) return i;
  }
  throw new Error(`unterminated string in: ${expr}`);
}

/** Metric names selected by `expr`, in order of first appearance. */
export function promqlMetricNames(expr: string): string[] {
  const names: string[] = [];
  let i = 0;
  while (i < expr.length) {
    const c = expr[i];
    const rest = expr.slice(i);
    if (c === '{') i = skipBlock(expr, i, '{', '}');
    else if (c === '[') i = skipBlock(expr, i, '[', ']');
    else if (c === '"' || c === "'" || c === '`') i = skipString(expr, i) + 1;
    else if (c === '$') i += /^\$(\{[^}]*\}|\w+)/.exec(rest)?.[0].length ?? 1;
    else if (c === '#') i += rest.indexOf('\n') === -1 ? rest.length : rest.indexOf('\n');
    else if (/[0-9.]/.test(c)) i += /^[0-9.][0-9a-zA-Z.+_]*/.exec(rest)![0].length;
    else if (/[a-zA-Z_:]/.test(c)) {
      const word = /^[a-zA-Z_:][a-zA-Z0-9_:]*/.exec(rest)![0];
      i += word.length;
      const after = expr.slice(i).trimStart();
      if (GROUPING.has(word)) {
        // The label list after by/without/on/ignoring/group_left/group_right is not metrics.
        if (after.startsWith('(')) i = skipBlock(expr, expr.indexOf('(', i), '(', ')');
      } else if (!FUNCTIONS.has(word) && !AGGREGATIONS.has(word) && !KEYWORDS.has(word.toLowerCase())) {
        if (!names.includes(word)) names.push(word);
      }
    } else i++;
  }
  return names;
}
