/**
 * Trims a source map (version 3) to the sources worth mapping. The operator's
 * bundle maps 7 MB of code, nearly all of it dependencies; Node parses the
 * whole map the first time any Error's stack is read (a stream destroyed with
 * an error reads it, so this happens at every start), and the parsed map kept
 * about 80 MiB of heap for the process's life. Stack frames in the operator's
 * own code still map to their TypeScript lines; frames in dependencies keep
 * the bundle's line and column.
 */

/** The fields of a version 3 source map this reads and writes (others are kept as they are). */
export interface SourceMapV3 {
  readonly version: 3;
  readonly sources: readonly string[];
  readonly sourcesContent?: readonly (string | null)[];
  readonly names: readonly string[];
  readonly mappings: string;
  readonly [field: string]: unknown;
}

/**
 * One segment, every field absolute: [generated column] alone ends the
 * previous mapping (what follows maps to nothing), or [generated column,
 * source, line, column, name?].
 */
type Segment = readonly [number] | readonly [number, number, number, number, number?];

const BASE64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const DIGIT = new Map([...BASE64].map((char, value) => [char, value]));

/** Base64 VLQ: 5 bits per digit, the sixth a continuation bit, the lowest bit of the value its sign. */
function decodeValues(text: string): number[] {
  const values: number[] = [];
  let value = 0;
  let shift = 0;
  for (const char of text) {
    const digit = DIGIT.get(char);
    if (digit === undefined) throw new Error(`source map: '${char}' is not a base64 digit`);
    value += (digit & 31) * 2 ** shift;
    if (digit & 32) {
      shift += 5;
      continue;
    }
    values.push(value % 2 === 1 ? -(value - 1) / 2 : value / 2);
    value = 0;
    shift = 0;
  }
  return values;
}

function encodeValue(signed: number): string {
  let value = signed < 0 ? -signed * 2 + 1 : signed * 2;
  let text = '';
  do {
    const digit = value % 32;
    value = Math.floor(value / 32);
    text += BASE64[value > 0 ? digit | 32 : digit];
  } while (value > 0);
  return text;
}

/** The mappings, line by line (lines separated by `;`, segments by `,`, values relative to the previous). */
export function decodeMappings(mappings: string): Segment[][] {
  let [source, line, column, name] = [0, 0, 0, 0];
  return mappings.split(';').map((text) => {
    let generated = 0;
    return text
      .split(',')
      .filter(Boolean)
      .map((field): Segment => {
        const values = decodeValues(field);
        generated += values[0];
        if (values.length === 1) return [generated];
        if (values.length !== 4 && values.length !== 5) throw new Error(`source map: a segment of ${values.length} fields`);
        source += values[1];
        line += values[2];
        column += values[3];
        if (values.length === 4) return [generated, source, line, column];
        name += values[4]!;
        return [generated, source, line, column, name];
      });
  });
}

export function encodeMappings(lines: readonly (readonly Segment[])[]): string {
  let [source, line, column, name] = [0, 0, 0, 0];
  return lines
    .map((segments) => {
      let generated = 0;
      return segments
        .map((segment) => {
          let text = encodeValue(segment[0] - generated);
          generated = segment[0];
          if (segment.length === 1) return text;
          const [, src, srcLine, srcColumn, srcName] = segment;
          text += encodeValue(src - source) + encodeValue(srcLine - line) + encodeValue(srcColumn - column);
          [source, line, column] = [src, srcLine, srcColumn];
          if (srcName !== undefined) {
            text += encodeValue(srcName - name);
            name = srcName;
          }
          return text;
        })
        .join(',');
    })
    .join(';');
}

/**
 * The map with only the segments whose source `keep` accepts, sources and
 * names renumbered, and no `sourcesContent` (Node maps stack frames without
 * it; the sources are in the repository).
 */
export function keepSources(map: SourceMapV3, keep: (source: string) => boolean): SourceMapV3 {
  const sourceIndex = new Map<number, number>();
  const nameIndex = new Map<number, number>();
  const renumber = (index: Map<number, number>, old: number) => {
    if (!index.has(old)) index.set(old, index.size);
    return index.get(old)!;
  };
  // A dropped segment becomes an end mark, so that the code it covered maps to
  // nothing rather than to the kept segment before it; one mark per run suffices.
  let mapped = false;
  const lines = decodeMappings(map.mappings).map((segments) =>
    segments.flatMap((segment): Segment[] => {
      if (segment.length === 1 || !keep(map.sources[segment[1]])) {
        if (!mapped) return [];
        mapped = false;
        return [[segment[0]]];
      }
      mapped = true;
      const [column, source, line, sourceColumn, name] = segment;
      return [name === undefined ? [column, renumber(sourceIndex, source), line, sourceColumn] : [column, renumber(sourceIndex, source), line, sourceColumn, renumber(nameIndex, name)]];
    }),
  );
  const { sourcesContent: _dropped, ...rest } = map;
  return {
    ...rest,
    sources: [...sourceIndex.keys()].map((old) => map.sources[old]),
    names: [...nameIndex.keys()].map((old) => map.names[old]),
    mappings: encodeMappings(lines),
  };
}
