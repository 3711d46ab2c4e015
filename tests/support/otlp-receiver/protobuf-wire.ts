/**
 * A minimal protobuf wire-format reader (https://protobuf.dev/programming-guides/encoding/).
 *
 * It knows nothing about schemas: `readMessage` splits one message into its fields and returns
 * field number -> every value seen for that number, in order. The typed getters below interpret
 * those raw values (varint as uint64/int64/bool, fixed64 as uint64/double, length-delimited as
 * string/bytes/sub-message/packed repeated). Fields a caller never asks for are simply ignored,
 * which is how unknown fields are skipped. Deprecated groups (wire types 3/4) are skipped too.
 */

export const WireType = {
  VARINT: 0,
  I64: 1,
  LEN: 2,
  SGROUP: 3,
  EGROUP: 4,
  I32: 5,
} as const;

export type WireValue =
  | { wireType: 0; value: bigint }
  | { wireType: 1; bytes: Uint8Array }
  | { wireType: 2; bytes: Uint8Array }
  | { wireType: 5; bytes: Uint8Array };

export type FieldMap = Map<number, WireValue[]>;

export class ProtobufDecodeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ProtobufDecodeError';
  }
}

/** Sequential reader over one buffer. */
export class WireReader {
  pos = 0;
  constructor(readonly buf: Uint8Array) {}

  get done(): boolean {
    return this.pos >= this.buf.length;
  }

  /** Reads a base-128 varint as an unsigned 64-bit bigint. */
  varint(): bigint {
    let result = 0n;
    let shift = 0n;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.buf.length) throw new ProtobufDecodeError('truncated varint');
      const byte = this.buf[this.pos++]!;
      result |= BigInt(byte & 0x7f) << shift;
      if ((byte & 0x80) === 0) return BigInt.asUintN(64, result);
      shift += 7n;
    }
    throw new ProtobufDecodeError('varint longer than 10 bytes');
  }

  take(n: number): Uint8Array {
    if (n < 0 || this.pos + n > this.buf.length) {
      throw new ProtobufDecodeError(`truncated field: need ${n} bytes at offset ${this.pos}, have ${this.buf.length - this.pos}`);
    }
    const out = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  /** Reads one tag; returns field number and wire type. */
  tag(): { field: number; wireType: number } {
    const key = this.varint();
    if (key > 0xffffffffn) throw new ProtobufDecodeError('tag out of range');
    const k = Number(key);
    const field = Math.floor(k / 8);
    const wireType = k & 7;
    if (field === 0) throw new ProtobufDecodeError('field number 0 is invalid');
    return { field, wireType };
  }

  /** Skips the value of a field with the given wire type (including whole groups). */
  skip(wireType: number, field: number): void {
    switch (wireType) {
      case WireType.VARINT:
        this.varint();
        return;
      case WireType.I64:
        this.take(8);
        return;
      case WireType.LEN:
        this.take(this.length());
        return;
      case WireType.I32:
        this.take(4);
        return;
      case WireType.SGROUP: {
        for (;;) {
          if (this.done) throw new ProtobufDecodeError('unterminated group');
          const t = this.tag();
          if (t.wireType === WireType.EGROUP) {
            if (t.field !== field) throw new ProtobufDecodeError('mismatched end group');
            return;
          }
          this.skip(t.wireType, t.field);
        }
      }
      default:
        throw new ProtobufDecodeError(`unsupported wire type ${wireType} for field ${field}`);
    }
  }

  length(): number {
    const len = this.varint();
    if (len > BigInt(this.buf.length - this.pos)) {
      throw new ProtobufDecodeError(`truncated: length ${len} exceeds remaining ${this.buf.length - this.pos} bytes`);
    }
    return Number(len);
  }
}

/** Splits one message into field number -> raw values (in wire order). */
export function readMessage(buf: Uint8Array): FieldMap {
  const r = new WireReader(buf);
  const fields: FieldMap = new Map();
  const push = (field: number, v: WireValue): void => {
    const list = fields.get(field);
    if (list) list.push(v);
    else fields.set(field, [v]);
  };
  while (!r.done) {
    const { field, wireType } = r.tag();
    switch (wireType) {
      case WireType.VARINT:
        push(field, { wireType: 0, value: r.varint() });
        break;
      case WireType.I64:
        push(field, { wireType: 1, bytes: r.take(8) });
        break;
      case WireType.LEN:
        push(field, { wireType: 2, bytes: r.take(r.length()) });
        break;
      case WireType.I32:
        push(field, { wireType: 5, bytes: r.take(4) });
        break;
      case WireType.SGROUP:
        r.skip(wireType, field);
        break;
      default:
        throw new ProtobufDecodeError(`unexpected wire type ${wireType} for field ${field}`);
    }
  }
  return fields;
}

// ---------------------------------------------------------------------------------------------
// Scalar interpretation
// ---------------------------------------------------------------------------------------------

function view(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** Converts a 64-bit bigint to number when exact, keeping bigint otherwise. */
export function toNumberIfSafe(v: bigint): number | bigint {
  return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
}

export function zigzagDecode(v: bigint): bigint {
  return (v >> 1n) ^ -(v & 1n);
}

export function bytesToHex(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += b.toString(16).padStart(2, '0');
  return s;
}

const utf8 = new TextDecoder('utf-8', { fatal: false });

/** Raw uint64 of a varint (wire 0) or fixed64 (wire 1) value; fixed32 (wire 5) widened. */
function uint64Of(v: WireValue): bigint {
  switch (v.wireType) {
    case 0:
      return v.value;
    case 1:
      return view(v.bytes).getBigUint64(0, true);
    case 5:
      return BigInt(view(v.bytes).getUint32(0, true));
    default:
      throw new ProtobufDecodeError('expected a numeric field, got length-delimited');
  }
}

/** Protobuf semantics: the last value of a non-repeated scalar field wins. */
function last(fields: FieldMap, field: number): WireValue | undefined {
  const list = fields.get(field);
  return list ? list[list.length - 1] : undefined;
}

export function has(fields: FieldMap, field: number): boolean {
  return fields.has(field);
}

/** uint32/uint64/enum/bool as unsigned bigint (varint or fixed). */
export function getUint64(fields: FieldMap, field: number): bigint | undefined {
  const v = last(fields, field);
  return v === undefined ? undefined : uint64Of(v);
}

/** int64/int32 (two's complement varint) or sfixed64. */
export function getInt64(fields: FieldMap, field: number): bigint | undefined {
  const v = getUint64(fields, field);
  return v === undefined ? undefined : BigInt.asIntN(64, v);
}

/** int32 / enum as a JS number (negative enums are sign-extended varints). */
export function getInt32(fields: FieldMap, field: number): number | undefined {
  const v = getUint64(fields, field);
  return v === undefined ? undefined : Number(BigInt.asIntN(32, v));
}

/** uint32 / fixed32 as a JS number. */
export function getUint32(fields: FieldMap, field: number): number | undefined {
  const v = getUint64(fields, field);
  return v === undefined ? undefined : Number(BigInt.asUintN(32, v));
}

/** sint32/sint64 (zigzag varint). */
export function getSint(fields: FieldMap, field: number): bigint | undefined {
  const v = getUint64(fields, field);
  return v === undefined ? undefined : BigInt.asIntN(64, zigzagDecode(v));
}

export function getBool(fields: FieldMap, field: number): boolean | undefined {
  const v = getUint64(fields, field);
  return v === undefined ? undefined : v !== 0n;
}

/** double (wire 1) — or float (wire 5). */
export function getDouble(fields: FieldMap, field: number): number | undefined {
  const v = last(fields, field);
  if (v === undefined) return undefined;
  if (v.wireType === 1) return view(v.bytes).getFloat64(0, true);
  if (v.wireType === 5) return view(v.bytes).getFloat32(0, true);
  throw new ProtobufDecodeError(`field ${field}: expected double, got wire type ${v.wireType}`);
}

export function getBytes(fields: FieldMap, field: number): Uint8Array | undefined {
  const v = last(fields, field);
  if (v === undefined) return undefined;
  if (v.wireType !== 2) throw new ProtobufDecodeError(`field ${field}: expected bytes, got wire type ${v.wireType}`);
  return v.bytes;
}

export function getString(fields: FieldMap, field: number): string | undefined {
  const b = getBytes(fields, field);
  return b === undefined ? undefined : utf8.decode(b);
}

/** Every occurrence of a repeated (or singular) embedded message, decoded into field maps. */
export function getMessages(fields: FieldMap, field: number): FieldMap[] {
  const out: FieldMap[] = [];
  for (const v of fields.get(field) ?? []) {
    if (v.wireType !== 2) throw new ProtobufDecodeError(`field ${field}: expected message, got wire type ${v.wireType}`);
    out.push(readMessage(v.bytes));
  }
  return out;
}

/**
 * A singular embedded message. Protobuf merges repeated occurrences of a singular message field;
 * concatenating the encodings and decoding once gives the same result.
 */
export function getMessage(fields: FieldMap, field: number): FieldMap | undefined {
  const list = fields.get(field);
  if (!list || list.length === 0) return undefined;
  if (list.length === 1) {
    const v = list[0]!;
    if (v.wireType !== 2) throw new ProtobufDecodeError(`field ${field}: expected message, got wire type ${v.wireType}`);
    return readMessage(v.bytes);
  }
  const parts = list.map((v) => {
    if (v.wireType !== 2) throw new ProtobufDecodeError(`field ${field}: expected message, got wire type ${v.wireType}`);
    return v.bytes;
  });
  const total = parts.reduce((n, p) => n + p.length, 0);
  const merged = new Uint8Array(total);
  let off = 0;
  for (const p of parts) {
    merged.set(p, off);
    off += p.length;
  }
  return readMessage(merged);
}

/** Repeated fixed64 (packed or not) as unsigned bigints. */
export function getRepeatedFixed64(fields: FieldMap, field: number): bigint[] {
  const out: bigint[] = [];
  for (const v of fields.get(field) ?? []) {
    if (v.wireType === 2) {
      if (v.bytes.length % 8 !== 0) throw new ProtobufDecodeError(`field ${field}: packed fixed64 length not a multiple of 8`);
      const dv = view(v.bytes);
      for (let i = 0; i < v.bytes.length; i += 8) out.push(dv.getBigUint64(i, true));
    } else {
      out.push(uint64Of(v));
    }
  }
  return out;
}

/** Repeated double (packed or not). */
export function getRepeatedDouble(fields: FieldMap, field: number): number[] {
  const out: number[] = [];
  for (const v of fields.get(field) ?? []) {
    if (v.wireType === 2) {
      if (v.bytes.length % 8 !== 0) throw new ProtobufDecodeError(`field ${field}: packed double length not a multiple of 8`);
      const dv = view(v.bytes);
      for (let i = 0; i < v.bytes.length; i += 8) out.push(dv.getFloat64(i, true));
    } else if (v.wireType === 1) {
      out.push(view(v.bytes).getFloat64(0, true));
    } else {
      throw new ProtobufDecodeError(`field ${field}: expected double, got wire type ${v.wireType}`);
    }
  }
  return out;
}

/** Repeated varint (uint64) field, packed or not. */
export function getRepeatedVarint(fields: FieldMap, field: number): bigint[] {
  const out: bigint[] = [];
  for (const v of fields.get(field) ?? []) {
    if (v.wireType === 2) {
      const r = new WireReader(v.bytes);
      while (!r.done) out.push(r.varint());
    } else {
      out.push(uint64Of(v));
    }
  }
  return out;
}
