declare module '@echogarden/espeak-ng-emscripten' {
  const factory: (options: { locateFile: (file: string) => string }) => Promise<unknown>;
  export default factory;
}
