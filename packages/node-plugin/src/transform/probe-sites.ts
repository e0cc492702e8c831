// Finds every function of a parsed file (declarations, expressions, arrows, methods, accessors,
// class constructors) and the name a reader of the source would give it.
import type { NodePath, types as BabelTypes } from '@babel/core';

/** One probed function: [name, line (1-based), column (0-based)]. */
export type FunctionSite = [string, number, number];

type Types = typeof BabelTypes;

function keyName(t: Types, key: BabelTypes.Node, computed: boolean): string {
  if (!computed && t.isIdentifier(key)) return key.name;
  if (t.isStringLiteral(key) || t.isNumericLiteral(key)) return String(key.value);
  if (t.isPrivateName(key)) return `#${key.id.name}`;
  return '[computed]';
}

function memberName(t: Types, node: BabelTypes.Node): string | undefined {
  if (t.isIdentifier(node)) return node.name;
  if (t.isThisExpression(node)) return 'this';
  if (t.isMemberExpression(node)) {
    const object = memberName(t, node.object);
    return object === undefined ? undefined : `${object}.${keyName(t, node.property, node.computed)}`;
  }
  return undefined;
}

function className(t: Types, classPath: NodePath | null | undefined): string {
  if (!classPath) return 'class';
  const node = classPath.node;
  if ((t.isClassDeclaration(node) || t.isClassExpression(node)) && node.id) return node.id.name;
  const parent = classPath.parent;
  if (t.isVariableDeclarator(parent) && t.isIdentifier(parent.id)) return parent.id.name;
  return 'class';
}

export function functionName(t: Types, path: NodePath<BabelTypes.Function>): string {
  const node = path.node;
  if (t.isClassMethod(node) || t.isClassPrivateMethod(node)) {
    const owner = className(t, path.parentPath.parentPath);
    if (node.kind === 'constructor') return owner;
    const member = t.isClassPrivateMethod(node) ? `#${node.key.id.name}` : keyName(t, node.key, node.computed);
    const prefix = node.kind === 'get' || node.kind === 'set' ? `${node.kind} ` : '';
    return `${prefix}${owner}.${member}`;
  }
  if (t.isObjectMethod(node)) {
    const member = keyName(t, node.key, node.computed);
    return node.kind === 'get' || node.kind === 'set' ? `${node.kind} ${member}` : member;
  }
  if ((t.isFunctionDeclaration(node) || t.isFunctionExpression(node)) && node.id) return node.id.name;
  const parent = path.parent;
  if (t.isVariableDeclarator(parent) && t.isIdentifier(parent.id)) return parent.id.name;
  if (t.isObjectProperty(parent)) return keyName(t, parent.key, parent.computed);
  if (t.isClassProperty(parent)) return `${className(t, path.parentPath?.parentPath?.parentPath)}.${keyName(t, parent.key, parent.computed)}`;
  if (t.isClassPrivateProperty(parent)) return `${className(t, path.parentPath?.parentPath?.parentPath)}.#${parent.key.id.name}`;
  if (t.isAssignmentExpression(parent)) return memberName(t, parent.left) ?? 'anonymous';
  if (t.isAssignmentPattern(parent) && t.isIdentifier(parent.left)) return parent.left.name;
  if (t.isExportDefaultDeclaration(parent)) return 'default';
  return 'anonymous';
}
