/**
 * Every CustomResourceDefinition the operator serves: the chart installs them
 * (`dist/operator/crds.k8s.yaml`) and the CRD reference documents them.
 */
import { TAG_POLICY_CRD } from './tag-policy/crd';

export const OPERATOR_CRDS = [TAG_POLICY_CRD] as const;
