/**
 * The DeferredObject custom resource (R-O6): an object template whose values
 * AWS assigns later, written as CEL expressions over other objects of the
 * same namespace (`${vpc.status.vpcID}`). The operator renders and applies
 * the object once every expression resolves, and keeps it up to date. Defined
 * once: zod gives its TypeScript type and its CRD (CEL rules included).
 */
import { z } from 'zod';
import { defineApiType, type ApiObject } from '../runtime/api-type';
import { conditionsSchema, observedGenerationSchema } from '../runtime/status';
import { OPERATOR_GROUP } from '../tag-policy/crd';

const rule = (rule: string, message: string) => ({ rule, message });

/** CEL identifiers that are reserved words or macros: not usable as input names. */
const RESERVED = ['true', 'false', 'null', 'in', 'as', 'break', 'const', 'continue', 'else', 'for', 'function', 'if', 'import', 'let', 'loop', 'package', 'namespace', 'return', 'var', 'void', 'while', 'has', 'int', 'uint', 'double', 'bool', 'string', 'bytes', 'list', 'map', 'type', 'dyn'];

const objectInputSchema = z.object({
  apiVersion: z.string().regex(/^[a-z0-9.-]+\/v[a-z0-9]+$/).meta({ description: 'The object\'s API version, e.g. ec2.services.k8s.aws/v1alpha1 (a kind served by a CustomResourceDefinition).' }),
  kind: z.string().regex(/^[A-Z][A-Za-z0-9]*$/),
  name: z.string().max(253).regex(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/).meta({ description: 'The object\'s name, in the DeferredObject\'s namespace (inputs never read other namespaces).' }),
});

const apiGatewayDomainNameSchema = z.object({
  region: z.string().regex(/^[a-z]{2}(-gov)?-[a-z]+-\d$/),
  domainName: z.string().max(253).regex(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/),
});

const inputSchema = z
  .object({
    name: z
      .string()
      .max(63)
      .regex(/^[a-z][A-Za-z0-9]*$/)
      .meta({ description: 'The CEL variable the expressions read it by: a lowerCamel identifier, e.g. vpc.' }),
    object: objectInputSchema.optional().meta({ description: 'Another object of this namespace, bound as its whole JSON (metadata, spec, status).' }),
    optional: z
      .boolean()
      .optional()
      .meta({
        description:
          'Render without this object while it is absent: it is then bound as an empty map (`has(x.status)` is false). For an object that reads itself, e.g. a target group made read-only once AWS has created it; optional inputs never count as waiting or as a cycle. @default false',
      }),
    apiGatewayDomainName: apiGatewayDomainNameSchema
      .optional()
      .meta({ description: 'AWS lookup (read only, cached): an API Gateway custom domain\'s regional target, bound as {regionalDomainName, regionalHostedZoneId}; ACK reports neither.' }),
  })
  .meta({
    'x-kubernetes-validations': [
      rule('has(self.object) != has(self.apiGatewayDomainName)', 'an input reads exactly one source: object or apiGatewayDomainName'),
      rule(`!(self.name in ${JSON.stringify(RESERVED)})`, 'an input name must not be a CEL reserved word'),
    ],
  });

const templateSchema = z
  .object({
    apiVersion: z.string().min(1),
    kind: z.string().min(1),
    metadata: z
      .object({ name: z.string().min(1).max(253) })
      .loose()
      .meta({ 'x-kubernetes-preserve-unknown-fields': true }),
  })
  .loose()
  .meta({
    'x-kubernetes-preserve-unknown-fields': true,
    description: 'The object to create, in this namespace. A string that is exactly `${expr}` becomes the value of the CEL expression (any JSON type); `${expr}` inside a longer string is replaced by the value as text.',
  });

export const deferredObjectSpecSchema = z
  .object({
    inputs: z.array(inputSchema).min(1).max(16).meta({ description: 'What the expressions read, each by its name.' }),
    template: templateSchema,
  })
  .meta({
    'x-kubernetes-validations': [
      rule('self.inputs.all(i, self.inputs.exists_one(j, j.name == i.name))', 'input names must be unique'),
      rule("self.template.kind != 'DeferredObject'", 'a DeferredObject cannot render another DeferredObject'),
    ],
  });

export const deferredObjectStatusSchema = z.object({
  observedGeneration: observedGenerationSchema.optional(),
  waitingFor: z.array(z.string()).optional().meta({ description: 'What the object still waits for: an input object, or an expression that does not resolve yet and why.' }),
  rendered: z
    .object({ apiVersion: z.string(), kind: z.string(), name: z.string(), hash: z.string().meta({ description: 'Of the rendered object last applied: a change of input that changes nothing is not applied again.' }) })
    .optional()
    .meta({ description: 'The object applied.' }),
  conditions: conditionsSchema.optional(),
});

export type DeferredObjectSpec = z.output<typeof deferredObjectSpecSchema>;
export type DeferredObjectStatus = z.infer<typeof deferredObjectStatusSchema>;
export type DeferredInput = z.output<typeof inputSchema>;
export type DeferredObject = ApiObject<typeof deferredObjectSpecSchema, typeof deferredObjectStatusSchema>;

export const DEFERRED_OBJECT = defineApiType({
  group: OPERATOR_GROUP,
  version: 'v1alpha1',
  kind: 'DeferredObject',
  plural: 'deferredobjects',
  singular: 'deferredobject',
  scope: 'Namespaced',
  shortNames: ['dfo'],
  categories: ['ack-systems'],
  printerColumns: [
    { name: 'Kind', type: 'string', jsonPath: '.spec.template.kind' },
    { name: 'Object', type: 'string', jsonPath: '.spec.template.metadata.name' },
    { name: 'Ready', type: 'string', jsonPath: ".status.conditions[?(@.type=='Ready')].status" },
    { name: 'Waiting for', type: 'string', jsonPath: '.status.waitingFor[0]', priority: 1 },
  ],
  spec: deferredObjectSpecSchema,
  status: deferredObjectStatusSchema,
});

export const DEFERRED_OBJECT_TYPE = DEFERRED_OBJECT.type;
export const DEFERRED_OBJECT_CRD = DEFERRED_OBJECT.crd;
