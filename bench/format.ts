// How figures read in the Markdown and on the console: one place, so that a number reads the
// same in every table.

const integer = new Intl.NumberFormat("en-US", { maximumFractionDigits: 0 });
const oneDecimal = new Intl.NumberFormat("en-US", {
  minimumFractionDigits: 1,
  maximumFractionDigits: 1,
});

/** Milliseconds: two decimals below 10, one above. */
export function ms(value: number): string {
  return Number.isFinite(value) ? value.toFixed(value < 10 ? 2 : 1) : "n/a";
}

/** Whole microseconds with thousands separators. */
export function us(value: number | undefined): string {
  return value !== undefined && Number.isFinite(value) ? integer.format(value) : "n/a";
}

/** Two decimals; two significant digits below 0.1, so that small ratios do not read 0.00. */
export function ratio(value: number): string {
  if (!Number.isFinite(value)) return "n/a";
  return value >= 0.1 || value === 0 ? value.toFixed(2) : value.toPrecision(2);
}

export function perSecond(value: number): string {
  return value >= 100 ? integer.format(value) : oneDecimal.format(value);
}

export function percent(value: number, digits = 0): string {
  return Number.isFinite(value) ? `${value.toFixed(digits)} %` : "n/a";
}

/** "+12.3" / "−4.0": a difference, with its sign always shown. */
export function signed(value: number, digits: number): string {
  if (!Number.isFinite(value)) return "n/a";
  return `${value >= 0 ? "+" : "−"}${Math.abs(value).toFixed(digits)}`;
}

export function kib(bytes: number): string {
  return `${oneDecimal.format(bytes / 1024)} KiB`;
}

export function mib(bytes: number): string {
  return `${oneDecimal.format(bytes / 2 ** 20)} MiB`;
}
