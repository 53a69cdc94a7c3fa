// Stripe's form encoding: `a[b][0][c]=v` builds nested objects and arrays; `expand[]=x` appends.
export type FormValue = string | FormValue[] | { [key: string]: FormValue };

export function parseForm(body: string): Record<string, FormValue> {
  const root: Record<string, FormValue> = {};
  for (const [rawKey, value] of new URLSearchParams(body)) {
    const path = rawKey.replace(/\]/g, "").split("[");
    let node: Record<string, FormValue> | FormValue[] = root;
    path.forEach((segment, index) => {
      const last = index === path.length - 1;
      const container = node as Record<string, FormValue> & FormValue[];
      const key = segment === "" && Array.isArray(node) ? String(node.length) : segment;
      if (last) {
        if (Array.isArray(node) && segment === "") node.push(value);
        else container[key] = value;
        return;
      }
      const nextIsIndex = /^\d*$/.test(path[index + 1]!);
      container[key] ??= nextIsIndex ? [] : {};
      node = container[key] as Record<string, FormValue> | FormValue[];
    });
  }
  return root;
}

export const str = (value: FormValue | undefined): string | undefined =>
  typeof value === "string" ? value : undefined;

export function int(value: FormValue | undefined): number | undefined {
  const text = str(value);
  if (text === undefined) return undefined;
  return /^-?\d+$/.test(text) ? Number(text) : Number.NaN;
}

export const record = (value: FormValue | undefined): Record<string, FormValue> =>
  value && typeof value === "object" && !Array.isArray(value) ? value : {};

export function list(value: FormValue | undefined): FormValue[] {
  if (Array.isArray(value)) return value;
  if (value && typeof value === "object")
    return Object.keys(value)
      .sort((a, b) => Number(a) - Number(b))
      .map((k) => value[k]!);
  return [];
}

export function metadataOf(value: FormValue | undefined): Record<string, string> {
  return Object.fromEntries(
    Object.entries(record(value)).map(([key, item]) => [key, typeof item === "string" ? item : ""]),
  );
}
