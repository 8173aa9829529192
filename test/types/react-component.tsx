// The README's React component, type-checked against the published declarations and React's own types
// (@types/react): `import type {} from 'portone-checkout/jsx'` puts <portone-checkout> into React's JSX.
// test/server/package-tarball.test.ts renders the same component with react-dom/server.
import 'portone-checkout';
import type {} from 'portone-checkout/jsx';
import { useEffect, useRef } from 'react';
import type { PaymentSuccessDetail, PortoneCheckoutElement } from 'portone-checkout';

export function Checkout({ amount }: { amount: number }) {
  const ref = useRef<PortoneCheckoutElement>(null);
  useEffect(() => {
    const el = ref.current!;
    // The detail is a union on `version` (V1 ids or V2's): narrow it.
    const onSuccess = ({ detail }: CustomEvent<PaymentSuccessDetail>) => location.assign(`/orders/${detail.version === 'v1' ? detail.merchantUid : detail.paymentId}`);
    el.addEventListener('payment-success', onSuccess);
    return () => el.removeEventListener('payment-success', onSuccess);
  }, []);
  return <portone-checkout ref={ref} merchant="imp12345678" amount={String(amount)} prepare-url="/payments/prepare" />;
}

export function Mistyped() {
  // @ts-expect-error unknown attribute
  const typo = <portone-checkout merchant="imp1" amout="1" />;
  // @ts-expect-error items is JSON text
  const array = <portone-checkout merchant="imp1" items={[{ id: 'chair-01', quantity: 2 }]} />;
  return [typo, array];
}
