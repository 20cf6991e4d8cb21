/**
 * WebACLAssociation: protects an Application Load Balancer with a WAF web
 * ACL, the association no ACK controller makes (research ack-behaviour.md §8).
 */
import type { WebAclAssociations } from '../aws/web-acl-associations';
import { ACK_TYPES, WEB_ACL_ASSOCIATION, type WebAclAssociation } from './crd';
import type { GapKind } from './gap';


const NOT_FOUND = 'WAFNonexistentItemException';

export function webAclAssociationKind(waf: WebAclAssociations): GapKind<WebAclAssociation, 'webACL' | 'loadBalancer'> {
  return {
    type: WEB_ACL_ASSOCIATION.type,
    refTypes: { webACL: ACK_TYPES.webACL, loadBalancer: ACK_TYPES.loadBalancer },
    refs: (object) => ({ webACL: object.spec.webACLRef.name, loadBalancer: object.spec.loadBalancerRef.name }),
    async converge(object, { webACL, loadBalancer }) {
      const done: string[] = [];
      // The object now names another load balancer: the one it protected before is let go.
      const before = object.status;
      if (before?.resourceARN && before.resourceARN !== loadBalancer.arn && before.webACLARN) {
        if (await disassociateIfOurs(waf, before.resourceARN, before.webACLARN)) done.push(`disassociated ${before.resourceARN}`);
      }
      const current = await waf.associatedWith(loadBalancer.arn);
      if (current !== webACL.arn) {
        // AssociateWebACL replaces the resource's association, if it has one.
        await waf.associate(webACL.arn, loadBalancer.arn);
        done.push(`associated web ACL ${webACL.arn} with ${loadBalancer.arn}${current ? ` (replacing ${current})` : ''}`);
      }
      return { status: { webACLARN: webACL.arn, resourceARN: loadBalancer.arn }, changed: done.length > 0 ? done.join('; ') : undefined };
    },
    async undo(object) {
      const { resourceARN, webACLARN } = object.status ?? {};
      if (!resourceARN || !webACLARN) return undefined;
      return (await disassociateIfOurs(waf, resourceARN, webACLARN)) ? `disassociated web ACL ${webACLARN} from ${resourceARN}` : undefined;
    },
  };
}

/** Disassociates the resource only while `webAclArn` protects it: someone else's association is left alone. */
async function disassociateIfOurs(waf: WebAclAssociations, resourceArn: string, webAclArn: string): Promise<boolean> {
  try {
    if ((await waf.associatedWith(resourceArn)) !== webAclArn) return false;
    await waf.disassociate(resourceArn);
    return true;
  } catch (error) {
    // The load balancer (or the web ACL) is gone: nothing is associated any more.
    if ((error as Error).name === NOT_FOUND) return false;
    throw error;
  }
}
