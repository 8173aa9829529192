// custom-elements.json from the element's JSDoc, and its attributes and their properties from the attribute table
// (src/attributes.ts): each row, its kind and its doc comment, read from the source so that the comments, which the
// bundle drops, still document the attributes.
import { readFileSync } from 'node:fs';
import ts from 'typescript';

const TABLE = 'src/attributes.ts';
/** Attributes the element reflects rather than observes: each is its read-only property's twin. */
const REFLECTED = ['state'];
const camel = (attribute) => attribute.replace(/-(\w)/g, (_, c) => c.toUpperCase());

/** The table's rows: `{ section, name, kind, description }`, in order. */
function readAttributeTable(path = TABLE) {
  const source = ts.createSourceFile(path, readFileSync(path, 'utf8'), ts.ScriptTarget.Latest, true);
  let table;
  source.forEachChild(function find(node) {
    if (ts.isVariableDeclaration(node) && node.name.getText() === 'ATTRIBUTES') table = node.initializer;
    else node.forEachChild(find);
  });
  while (table && !ts.isObjectLiteralExpression(table)) table = table.expression; // `{…} as const satisfies …`
  if (!table) throw new Error(`${path}: no ATTRIBUTES table`);
  const name = (property) => (ts.isStringLiteral(property.name) ? property.name.text : property.name.getText());
  const doc = (node) => ts.getTextOfJSDocComment(ts.getJSDocCommentsAndTags(node).find(ts.isJSDoc)?.comment)?.replace(/\s*\n\s*/g, ' ') ?? '';
  return table.properties.flatMap((section) =>
    section.initializer.properties.map((row) => ({ section: name(section), name: name(row), kind: row.initializer.text.split(' ')[0], description: doc(row) })),
  );
}

function attributesFromTable() {
  return {
    name: 'portone-checkout-attributes',
    packageLinkPhase({ customElementsManifest }) {
      const rows = readAttributeTable();
      for (const module of customElementsManifest.modules) {
        for (const declaration of module.declarations ?? []) {
          if (!declaration.customElement) continue;
          // The class extends a stand-in `Base` only where there is no DOM (server-side rendering): it is an HTMLElement.
          if (declaration.superclass?.name === 'Base') declaration.superclass = { name: 'HTMLElement', package: 'global:' };
          // The events are the JSDoc's `@event`s; the one dispatchEvent() names its event by a condition the analyzer cannot read.
          declaration.events = declaration.events?.filter((event) => event.name);
          // HTMLElement's own rows (`lang`) keep HTMLElement's property: an attribute, no member of this class.
          const properties = rows.filter((row) => row.section !== 'html').map((row) => ({
            kind: 'field',
            name: camel(row.name),
            type: { text: row.kind === 'flag' ? 'boolean' : 'string | null' },
            description: row.description,
            attribute: row.name,
          }));
          declaration.members = [...properties, ...(declaration.members ?? [])];
          declaration.attributes = [
            ...rows.map((row) => ({
              name: row.name,
              ...(row.section !== 'html' && { fieldName: camel(row.name) }),
              type: { text: row.kind === 'flag' ? 'boolean' : row.section === 'html' ? 'string' : 'string | null' },
              description: row.description,
            })),
            ...declaration.members
              .filter((member) => REFLECTED.includes(member.name))
              .map((member) => ({ name: member.name, fieldName: member.name, type: member.type, description: member.description })),
          ];
        }
      }
    },
  };
}

export default {
  globs: ['src/portone-checkout-element.ts', 'src/portone-checkout.ts', 'src/index.ts'],
  outdir: '.',
  plugins: [attributesFromTable()],
};
