//! Submitting transactions: sign, wait until finalised, and turn a refusal into
//! [`Error::Refused`] naming the pallet error, whether the runtime refused the call itself or,
//! for a registrars' motion, the call it dispatched.
use crate::{chain, ehr, EhrClient, EhrConfig, Error};
use subxt::{
	client::{OnlineClientAtBlock, OnlineClientAtBlockImpl},
	config::DefaultExtrinsicParamsBuilder,
	error::{DispatchError, TransactionEventsError, TransactionFinalizedSuccessError},
	extrinsics::ExtrinsicEvents,
	transactions::{Payload, SubmittableTransaction},
};
use subxt_signer::sr25519::Keypair;

/// Blocks a transaction stays valid for after the block it is born at.
const MORTALITY: u64 = 64;

/// `call` signed by `signer` at the last finalised block (with `nonce`, or the account's next
/// one), ready to submit.
///
/// The transaction is born at that block's **parent**. The fork-aware transaction pool may
/// report a block final before it has a view of it; a transaction born at that very block is
/// then checked against the previous view, whose state does not know the birth block yet, and
/// is refused as invalid (seen with [`submit_batch`] on a node sealing a block per
/// transaction). Every view knows the parent.
pub async fn sign<Call: Payload>(
	api: &EhrClient,
	call: &Call,
	signer: &Keypair,
	nonce: Option<u64>,
) -> Result<SubmittableTransaction<EhrConfig, OnlineClientAtBlockImpl<EhrConfig>>, Error> {
	let at: OnlineClientAtBlock<EhrConfig> = api.at_current_block().await.map_err(chain)?;
	let header = at.block_header().await.map_err(chain)?;
	let params = DefaultExtrinsicParamsBuilder::<EhrConfig>::new();
	let params = match header.number.checked_sub(1) {
		Some(parent) => params.mortal_from_unchecked(MORTALITY, parent, header.parent_hash),
		None => params.mortal(MORTALITY),
	};
	let params = match nonce {
		Some(nonce) => params.nonce(nonce),
		None => params,
	};
	at.tx().create_signed(call, signer, params.build()).await.map_err(chain)
}

/// Signs `call` with `signer`, submits it, waits until it is finalised and gives its events, or
/// why the chain refused it.
pub async fn submit<Call: Payload>(
	api: &EhrClient,
	call: &Call,
	signer: &Keypair,
) -> Result<ExtrinsicEvents<EhrConfig>, Error> {
	sign(api, call, signer, None)
		.await?
		.submit_and_watch()
		.await
		.map_err(chain)?
		.wait_for_finalized_success()
		.await
		.map_err(|e| match e {
			TransactionFinalizedSuccessError::SuccessError(
				TransactionEventsError::ExtrinsicFailed(DispatchError::Module(module)),
			) => match (module.as_root_error::<ehr::Error>(), module.details()) {
				(Ok(error), Ok(details)) => Error::Refused {
					error: Box::new(error),
					pallet: details.pallet.name().to_owned(),
					variant: details.variant.name.clone(),
					docs: details.variant.docs.join(" "),
				},
				_ => chain(module.details_string()),
			},
			other => chain(other),
		})
}

/// Signs and submits every call at once, each signer's calls with consecutive nonces so that
/// they can share a block, then waits until all are finalised. Faster than [`submit`] in turn
/// when many independent calls are due (set-up scripts, tests); a refusal is not decoded.
pub async fn submit_batch<Call: Payload>(
	api: &EhrClient,
	calls: &[(Call, &Keypair)],
) -> Result<(), Error> {
	let mut nonces = std::collections::HashMap::<[u8; 32], u64>::new();
	let mut pending = Vec::with_capacity(calls.len());
	for (call, signer) in calls {
		// Each call is mortal from the block it is signed at: on a node that seals a block per
		// transaction, a batch of more calls than its mortality signed at one block would see
		// its last calls refused as born too long ago.
		let who = signer.public_key().to_account_id();
		let nonce = match nonces.get(&who.0) {
			Some(next) => *next,
			None => api.tx().await.map_err(chain)?.account_nonce(&who).await.map_err(chain)?,
		};
		nonces.insert(who.0, nonce + 1);
		let signed = sign(api, call, signer, Some(nonce)).await?;
		pending.push(signed.submit_and_watch().await.map_err(chain)?);
	}
	for progress in pending {
		progress.wait_for_finalized_success().await.map_err(chain)?;
	}
	Ok(())
}

/// The refusal a dispatched call failed with, where the transaction that dispatched it
/// succeeded (a registrars' motion): as [`Error::Refused`] when it is a pallet's error.
pub(crate) async fn refusal(
	api: &EhrClient,
	failed: ehr::runtime_types::sp_runtime::DispatchError,
) -> Error {
	use ehr::runtime_types::sp_runtime::DispatchError as Failed;
	let module = match failed {
		Failed::Module(module) => module,
		Failed::BadOrigin => return chain("the dispatched call refused the registrars' origin"),
		other => return chain(format!("the dispatched call failed: {other:?}")),
	};
	let metadata = match api.at_current_block().await {
		Ok(at) => at.metadata(),
		Err(e) => return chain(e),
	};
	// The runtime's error enum is encoded as the pallet index, then the pallet's error.
	let bytes: Vec<u8> = core::iter::once(module.index).chain(module.error).collect();
	let typed = <ehr::Error as subxt::ext::scale_decode::DecodeAsType>::decode_as_type(
		&mut &bytes[..],
		metadata.outer_enums().error_enum_ty(),
		metadata.types(),
	)
	.ok();
	let named = metadata.pallet_by_error_index(module.index).and_then(|pallet| {
		let variant = pallet.error_variant_by_index(module.error[0])?;
		Some(Error::Refused {
			error: Box::new(typed?),
			pallet: pallet.name().to_owned(),
			variant: variant.name.clone(),
			docs: variant.docs.join(" "),
		})
	});
	named.unwrap_or_else(|| chain(format!("the dispatched call failed: {module:?}")))
}
