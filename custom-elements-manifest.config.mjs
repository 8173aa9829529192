// custom-elements.json from the element's JSDoc. The element's rule (every attribute is a kebab-case twin
// of a camelCase property) is applied here too, so each documented property gets its attribute entry.
const NOT_ATTRIBUTES = new Set(['params', 'sdkTimeout']);
const kebab = (name) => name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

function attributesFromProperties() {
  return {
    name: 'portone-checkout-attributes',
    packageLinkPhase({ customElementsManifest }) {
      for (const module of customElementsManifest.modules) {
        for (const declaration of module.declarations ?? []) {
          if (!declaration.customElement) continue;
          // The class extends a stand-in `Base` only where there is no DOM (server-side rendering): it is an HTMLElement.
          if (declaration.superclass?.name === 'Base') declaration.superclass = { name: 'HTMLElement', package: 'global:' };
          // The events are the JSDoc's `@event`s; the one dispatchEvent() names its event by a condition the analyzer cannot read.
          declaration.events = declaration.events?.filter((event) => event.name);
          declaration.attributes = (declaration.members ?? [])
            .filter((m) => m.kind === 'field' && !m.static && m.privacy !== 'private' && !m.name.startsWith('#') && !NOT_ATTRIBUTES.has(m.name))
            .map((m) => ({ name: kebab(m.name), fieldName: m.name, type: m.type, description: m.description, default: m.default }));
          declaration.attributes.push({ name: 'lang', description: '`ko` or `en` for the element\'s own texts; default the document\'s language, else `ko`.', type: { text: 'string' } });
        }
      }
    },
  };
}

export default {
  globs: ['src/portone-checkout-element.ts', 'src/index.ts'],
  outdir: '.',
  plugins: [attributesFromProperties()],
};
