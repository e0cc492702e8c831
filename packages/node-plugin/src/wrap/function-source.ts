// Function.prototype.toString of a Proxy says `function () { [native code] }`: a wrapped class
// would stop looking like a class to code that reads its source (class detection, DI by
// parameter names). Function.prototype.toString is replaced, once, by a Proxy of itself that
// answers for the original of every wrapper (and for itself), and passes everything else on.
const originals = new WeakMap<object, object>();
let installed = false;

export function rememberOriginal(wrapper: object, original: object): void {
  originals.set(wrapper, original);
  if (!installed) install();
}

function install(): void {
  installed = true;
  const descriptor = Object.getOwnPropertyDescriptor(Function.prototype, 'toString');
  if (!descriptor || typeof descriptor.value !== 'function' || !descriptor.writable || !descriptor.configurable) return;
  const nativeToString = descriptor.value as (this: unknown) => string;
  const toString = new Proxy(nativeToString, {
    apply(target, thisArg, args) {
      return Reflect.apply(target, originals.get(thisArg as object) ?? thisArg, args);
    },
  });
  originals.set(toString, nativeToString);
  Object.defineProperty(Function.prototype, 'toString', { ...descriptor, value: toString });
}
