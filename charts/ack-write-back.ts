/**
 * Where ACK writes AWS's values back into an object's spec, for the kinds the
 * systems use, and why each leaves an Argo CD Application Synced.
 *
 * ACK merge-patches the spec with what AWS returned after a create, an update
 * and an adoption, and fills fields left nil (late initialisation): aws-
 * controllers-k8s/runtime `pkg/runtime/reconciler.go` (patchResourceMetadataAndSpec,
 * called at lines 646, 865, 962 and 1002 of main 95428e7). It writes under the
 * field manager `controller` (the ACK image's binary is `./bin/controller`,
 * each controller's `helm/templates/deployment.yaml`, and client-go names the
 * manager after it). Argo CD's server-side diff compares only the fields Git
 * sets, so a value written into a field Git leaves unset is never drift; a
 * field Git sets must hold AWS's own form. Late initialisation fills only nil
 * fields, so it never changes a field Git sets.
 *
 * `docs.test.ts` renders this table into docs/gitops.md; `gitops.test.ts`
 * checks every claim against `dist/`.
 */

/** How the charts keep a written-back field from differing from Git. */
export type WriteBackHandling =
  /** Git never sets the field on this kind: what ACK writes is not compared. */
  | { readonly kind: 'unset' }
  /** Git writes exactly what AWS returns; `holds` checks a rendered spec. */
  | { readonly kind: 'echoed'; readonly form: string; readonly holds: (spec: Record<string, any>) => boolean }
  /** AWS's value can differ once: self-heal applies Git's, and ACK does not write it again. */
  | { readonly kind: 'once'; readonly why: string };

export interface WriteBack {
  /** `<group>/<Kind>`. */
  readonly kind: string;
  /** Spec fields (dotted; `[]` for every item of a list). */
  readonly fields: readonly string[];
  readonly when: string;
  /** Controller, release and file:line the behaviour was read from. */
  readonly source: string;
  readonly handling: WriteBackHandling;
}

const every = (items: unknown, check: (item: Record<string, any>) => boolean) => ((items as Record<string, any>[] | undefined) ?? []).every(check);
const KMS_KEY_ARN = /^arn:aws[\w-]*:kms:[a-z0-9-]+:\d{12}:(key|alias)\//;

export const ACK_WRITE_BACK: readonly WriteBack[] = [
  {
    kind: 'rds.services.k8s.aws/DBCluster',
    fields: ['availabilityZones', 'replicationSourceIdentifier', 'networkType', 'engineMode', 'dbClusterInstanceClass', 'iops', 'storageType', 'monitoringInterval', 'monitoringRoleARN', 'publiclyAccessible', 'kmsKeyID'],
    when: 'create and update (read back, never sent); networkType late-initialised',
    source: 'rds-controller v1.11.1 pkg/resource/db_cluster/custom_update.go:519-680, generator.yaml; kmsKeyID: the charts give kmsKeyRef, and the runtime clears resolved references on both sides before writing (reconciler.go:1065-1066)',
    handling: { kind: 'unset' },
  },
  {
    kind: 'rds.services.k8s.aws/DBCluster',
    fields: ['engineVersion'],
    when: 'create and update',
    source: 'rds-controller v1.11.1 templates/hooks/db_cluster/delta_pre_compare.go.tpl (minor-only differences ignored unless autoMinorVersionUpgrade is false)',
    handling: {
      kind: 'once',
      why: 'Git gives RDS\'s full "major.minor", as create returns it. If ACK ever writes a newer minor (after an automatic minor upgrade), self-heal applies Git\'s once; ACK\'s compare takes a minor-only difference for none, so it neither downgrades nor writes again',
    },
  },
  {
    kind: 'rds.services.k8s.aws/GlobalCluster',
    fields: ['engine', 'engineVersion', 'databaseName', 'storageEncrypted'],
    when: 'create (read back, never sent by ModifyGlobalCluster)',
    source: 'rds-controller v1.11.1 pkg/resource/global_cluster/sdk.go:553-571; AWS requires them omitted with sourceDBClusterIdentifier',
    handling: { kind: 'unset' },
  },
  {
    kind: 'ec2.services.k8s.aws/VPCPeeringConnection',
    fields: ['acceptRequest'],
    when: 'every read',
    source: 'ec2-controller v1.20.0 pkg/resource/vpc_peering_connection/sdk.go:283-290',
    handling: { kind: 'echoed', form: 'false while no accepter exists, true from the synth that adds it (what the read reports)', holds: (spec) => typeof spec.acceptRequest === 'boolean' },
  },
  {
    kind: 'route53.services.k8s.aws/HostedZone',
    fields: ['name'],
    when: 'create and adopt',
    source: 'route53-controller v1.5.2 pkg/resource/hosted_zone/sdk.go:127,272',
    handling: { kind: 'echoed', form: 'the zone name ends with a dot, as Route 53 returns it', holds: (spec) => String(spec.name).endsWith('.') },
  },
  {
    kind: 'route53.services.k8s.aws/HostedZone',
    fields: ['hostedZoneConfig', 'tags'],
    when: 'adopt (services.k8s.aws/adoption-policy: adopt)',
    source: 'runtime reconciler.go:639-649 (the spec becomes the adoption fields plus what the read returns; the read keeps the zone\'s config in status.config)',
    handling: { kind: 'once', why: 'adopting replaces the spec with AWS\'s: self-heal applies Git\'s comment and tags once, ACK then tags the zone as Git says, and the zone is never adopted again' },
  },
  {
    kind: 'route53.services.k8s.aws/RecordSet',
    fields: ['name', 'aliasTarget.dnsName'],
    when: 'create and update',
    source: 'route53-controller v1.5.2 pkg/resource/record_set/sdk.go:122-150 (a name ending with a dot is kept as it is), 156-162 (the alias target\'s trailing dot is removed)',
    handling: { kind: 'echoed', form: 'the record name fully qualified (a trailing dot), the alias target without one', holds: (spec) => String(spec.name).endsWith('.') && (!spec.aliasTarget || !String(spec.aliasTarget.dnsName).endsWith('.')) },
  },
  {
    kind: 'dynamodb.services.k8s.aws/Table',
    fields: ['tableReplicas[].kmsMasterKeyID', 'tableReplicas[].tableClassOverride'],
    when: 'create and update',
    source: 'dynamodb-controller v1.9.2 pkg/resource/table/hooks_replica_updates.go:196-260',
    handling: { kind: 'echoed', form: 'each replica names its key ARN and table class, as DescribeTable reports them', holds: (spec) => every(spec.tableReplicas, (r) => /:key\//.test(String(r.kmsMasterKeyID)) && typeof r.tableClassOverride === 'string') },
  },
  {
    kind: 's3.services.k8s.aws/Bucket',
    fields: ['encryption.rules[].applyServerSideEncryptionByDefault.kmsMasterKeyID'],
    when: 'update (every sub-configuration is read again)',
    source: 's3-controller v1.10.0 pkg/resource/bucket/hook.go:409; S3 returns the key ID as it was put',
    handling: { kind: 'echoed', form: 'a KMS key or alias ARN, never a bare ID', holds: (spec) => every(spec.encryption?.rules, (r) => r.applyServerSideEncryptionByDefault?.kmsMasterKeyID === undefined || KMS_KEY_ARN.test(r.applyServerSideEncryptionByDefault.kmsMasterKeyID)) },
  },
];

/** The value at a dotted path (`a.b[].c` visits every item), one entry per place it is set. */
export function valuesAt(spec: unknown, path: string): unknown[] {
  let values: unknown[] = [spec];
  for (const part of path.split('.')) {
    const list = part.endsWith('[]');
    const key = list ? part.slice(0, -2) : part;
    values = values.flatMap((v) => {
      const next = v && typeof v === 'object' ? (v as Record<string, unknown>)[key] : undefined;
      return list ? (Array.isArray(next) ? next : []) : next === undefined ? [] : [next];
    });
  }
  return values;
}

/** The table docs/gitops.md shows. */
export function writeBackTable(): string {
  const handled = (h: WriteBackHandling) => (h.kind === 'unset' ? 'Git leaves it unset: not compared' : h.kind === 'echoed' ? `Git writes AWS's form: ${h.form}` : `may differ once: ${h.why}`);
  return [
    '| kind | spec fields ACK writes | when | why the app stays Synced | read in |',
    '|---|---|---|---|---|',
    ...ACK_WRITE_BACK.map((w) => `| ${w.kind.split('/')[1]} (${w.kind.split('.')[0]}) | ${w.fields.map((f) => `\`${f}\``).join(', ')} | ${w.when} | ${handled(w.handling)} | ${w.source} |`),
  ].join('\n');
}
