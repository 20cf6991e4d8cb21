/**
 * Architecture diagrams drawn from synthesized objects (`npm run diagrams`):
 * one Graphviz graph per system and environment, a cluster per AWS region
 * (the object's `services.k8s.aws/region`), one node per ACK object shaped by
 * what its service does, and an edge per `*Ref`/`*Refs` field. Objects with
 * no reference either way are drawn as one node per region and kind ("9
 * MetricAlarm"), so that a system's structure stays readable.
 */
import { ACK_ANNOTATIONS } from '../../lib/ack-annotations';

export interface ManifestObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: { readonly name: string; readonly namespace?: string; readonly annotations?: Record<string, string> };
  readonly spec?: unknown;
}

/** Node shapes by what an ACK service does; the legend lists them. */
const SERVICE_ROLES: readonly { role: string; shape: string; color: string; services: readonly string[] }[] = [
  { role: 'network', shape: 'box', color: '#dbeafe', services: ['ec2'] },
  { role: 'edge', shape: 'house', color: '#fde68a', services: ['apigatewayv2', 'elbv2', 'wafv2', 'route53', 'acm'] },
  { role: 'compute', shape: 'component', color: '#fed7aa', services: ['lambda', 'ecs', 'autoscaling', 'applicationautoscaling'] },
  { role: 'data', shape: 'cylinder', color: '#bbf7d0', services: ['rds', 'dynamodb', 'elasticache', 's3', 'sqs', 'secretsmanager'] },
  { role: 'security', shape: 'hexagon', color: '#fecaca', services: ['iam', 'kms'] },
  { role: 'observability', shape: 'note', color: '#e9d5ff', services: ['cloudwatch', 'cloudwatchlogs', 'sns', 'cloudtrail'] },
];
const OTHER_ROLE = { role: 'other', shape: 'ellipse', color: '#e5e7eb' };

/** `*Ref` fields whose name does not end with the kind they point to. */
const REF_KINDS: Readonly<Record<string, string>> = {
  allocation: 'ElasticIPAddress',
  deliverLogsPermission: 'Role',
  gateway: 'InternetGateway',
  group: 'SecurityGroup',
  domain: 'DomainName',
  target: 'Integration',
};

const serviceOf = (object: ManifestObject) => object.apiVersion.split('/')[0].replace(/\.services\.k8s\.aws$/, '');
const roleOf = (object: ManifestObject) => SERVICE_ROLES.find((role) => role.services.includes(serviceOf(object))) ?? OTHER_ROLE;
const isAckResource = (object: ManifestObject) => /\.services\.k8s\.aws\//.test(object.apiVersion);
const idOf = (object: ManifestObject) => `${object.kind}/${object.metadata.namespace ?? ''}/${object.metadata.name}`;
const quote = (text: string) => `"${text.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;

interface Reference {
  readonly field: string;
  readonly name: string;
  readonly namespace?: string;
}

/** Every `*Ref` and `*Refs` in a spec, with the field's name (without Ref). */
function referencesIn(value: unknown, found: Reference[] = []): Reference[] {
  if (Array.isArray(value)) value.forEach((item) => referencesIn(item, found));
  else if (value !== null && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) {
      const field = /^(\w+?)Refs?$/.exec(key)?.[1];
      const refs = field ? (Array.isArray(item) ? item : [item]) : [];
      for (const ref of refs) {
        const from = (ref as { from?: { name?: string; namespace?: string } } | undefined)?.from;
        if (field && from?.name) found.push({ field, name: from.name, namespace: from.namespace });
      }
      if (!field) referencesIn(item, found);
    }
  }
  return found;
}

/** The object a reference names: same name and namespace, of the kind its field names. */
function resolve(reference: Reference, namespace: string | undefined, objects: readonly ManifestObject[]): ManifestObject | undefined {
  const ns = reference.namespace ?? namespace;
  const candidates = objects.filter((o) => o.metadata.name === reference.name && o.metadata.namespace === ns);
  const wanted = REF_KINDS[reference.field];
  return (
    candidates.find((o) => o.kind === wanted) ??
    candidates.find((o) => reference.field.toLowerCase().endsWith(o.kind.toLowerCase())) ??
    (candidates.length === 1 ? candidates[0] : undefined)
  );
}

/** The Graphviz source of one system in one environment. */
export function architectureDot(title: string, manifests: readonly ManifestObject[]): string {
  const objects = manifests.filter(isAckResource).filter((o) => o.kind !== 'FieldExport');
  const edges: { from: string; to: string; label: string }[] = [];
  const external = new Map<string, string>();
  for (const object of objects) {
    for (const reference of referencesIn(object.spec)) {
      const target = resolve(reference, object.metadata.namespace, objects);
      const to = target ? idOf(target) : `external/${reference.field}/${reference.name}`;
      if (!target) external.set(to, `${reference.name}\n(not in this system)`);
      edges.push({ from: idOf(object), to, label: reference.field });
    }
  }
  const linked = new Set(edges.flatMap((edge) => [edge.from, edge.to]));
  const regionOf = (object: ManifestObject) => object.metadata.annotations?.[ACK_ANNOTATIONS.region] ?? 'unknown region';
  const regions = [...new Set(objects.map(regionOf))].sort();

  const lines = [
    'digraph architecture {',
    `  graph [label=${quote(title)}, labelloc=t, fontname="Helvetica", fontsize=16, rankdir=LR, compound=true, nodesep=0.25, ranksep=0.6];`,
    '  node [fontname="Helvetica", fontsize=10, style=filled];',
    '  edge [fontname="Helvetica", fontsize=8, color="#6b7280"];',
  ];
  regions.forEach((region, index) => {
    lines.push(`  subgraph cluster_${index} {`, `    label=${quote(region)}; style=rounded; color="#9ca3af";`);
    const inRegion = objects.filter((o) => regionOf(o) === region);
    for (const object of inRegion.filter((o) => linked.has(idOf(o))).sort((a, b) => idOf(a).localeCompare(idOf(b)))) {
      const { shape, color } = roleOf(object);
      lines.push(`    ${quote(idOf(object))} [label=${quote(`${object.kind}\n${object.metadata.name}`)}, shape=${shape}, fillcolor=${quote(color)}];`);
    }
    const alone = new Map<string, ManifestObject[]>();
    for (const object of inRegion.filter((o) => !linked.has(idOf(o)))) alone.set(object.kind, [...(alone.get(object.kind) ?? []), object]);
    for (const [kind, group] of [...alone].sort(([a], [b]) => a.localeCompare(b))) {
      const { shape, color } = roleOf(group[0]);
      const label = group.length === 1 ? `${kind}\n${group[0].metadata.name}` : `${group.length} ${kind}`;
      lines.push(`    ${quote(`${region}/${kind}`)} [label=${quote(label)}, shape=${shape}, fillcolor=${quote(color)}];`);
    }
    lines.push('  }');
  });
  for (const [id, label] of [...external].sort()) lines.push(`  ${quote(id)} [label=${quote(label)}, shape=box, style=dashed];`);
  for (const edge of edges.sort((a, b) => `${a.from}|${a.to}|${a.label}`.localeCompare(`${b.from}|${b.to}|${b.label}`))) {
    lines.push(`  ${quote(edge.from)} -> ${quote(edge.to)} [label=${quote(edge.label)}];`);
  }
  lines.push('}');
  return `${lines.join('\n')}\n`;
}

/** The legend's rows: each shape and the ACK services drawn with it. */
export const DIAGRAM_LEGEND = SERVICE_ROLES.map(({ role, shape, services }) => ({ role, shape, services }));
