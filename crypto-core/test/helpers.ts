// Shared test helpers: exact error-class assertions and hex shorthands.
import { expect } from 'vitest';
import {
  CryptoError,
  DecryptError,
  FormatError,
  fromHex,
  KeyError,
  KtChainError,
  MembershipError,
  SignatureError,
  toHex,
} from '../src/index';

export const hex = toHex;
export const unhex = fromHex;

type ErrorClass = new (message?: string) => Error;

export const ERROR_CLASSES: Record<string, ErrorClass> = {
  CryptoError,
  DecryptError,
  SignatureError,
  KeyError,
  FormatError,
  MembershipError,
  KtChainError,
};

/** Runs `run` and checks it throws exactly `cls` (not a sibling class) with a message naming `fnName`. */
export function expectError(run: () => unknown, cls: ErrorClass, fnName: string): Error {
  let caught: unknown;
  try {
    run();
  } catch (e) {
    caught = e;
  }
  expect(caught, `expected ${cls.name} from ${fnName}`).toBeInstanceOf(Error);
  const err = caught as Error;
  expect(err.constructor, `${err.name}: ${err.message}`).toBe(cls);
  expect(err.message.startsWith(`${fnName}: `), err.message).toBe(true);
  return err;
}

/** The error class named in a vector file's `error` field. */
export function errorClass(name: string): ErrorClass {
  const cls = ERROR_CLASSES[name];
  if (!cls) throw new Error(`unknown error class ${name}`);
  return cls;
}

/** A copy of `bytes` with bit 0 of byte `i` flipped. */
export function flipByte(bytes: Uint8Array, i: number): Uint8Array {
  const copy = bytes.slice();
  copy[i] = (copy[i] ?? 0) ^ 0x01;
  return copy;
}
