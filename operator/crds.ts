/**
 * Every CustomResourceDefinition the operator serves: the chart installs them
 * (`dist/operator/crds.k8s.yaml`) and the CRD reference documents them.
 */
import { AWS_GAP_CRDS } from './aws-gaps/crd';
import { DEFERRED_OBJECT_CRD } from './deferred-object/crd';
import { FAILOVER_GROUP_CRD } from './failover-group/crd';
import { TAG_POLICY_CRD } from './tag-policy/crd';

export const OPERATOR_CRDS = [TAG_POLICY_CRD, FAILOVER_GROUP_CRD, DEFERRED_OBJECT_CRD, ...AWS_GAP_CRDS] as const;
