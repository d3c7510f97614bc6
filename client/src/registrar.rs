//! The registrar: two thirds ([`ehr_types::REGISTRAR_QUORUM`]) of the `Registrars` collective,
//! the administrators of the hospitals that run the network. No single key registers or
//! suspends a hospital, a doctor or a custodian (the `local_testnet` preset has no sudo key).
//!
//! Every registrar action is a motion, and every member takes part the same way, with
//! [`approve`]: the first member to approve a call proposes it and votes for it, each other
//! member's approval is a vote for it, and the approval that reaches the threshold also closes
//! the motion, which dispatches the call. When one member is the quorum (the `development` preset: Alice alone),
//! the first approval dispatches it at once.
use crate::{
	chain,
	ehr::{self, runtime_types::ehr_runtime::RuntimeCall},
	submit,
	tx::refusal,
	EhrClient, EhrConfig, Error,
};
use subxt::{
	config::{substrate::BlakeTwo256, Hasher},
	ext::scale_encode::EncodeAsType,
	extrinsics::ExtrinsicEvents,
	utils::{AccountId32, H256},
};
use subxt_signer::sr25519::Keypair;

/// Where a registrar motion stands after an approval.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Motion {
	/// The quorum approved it and the call was dispatched (and succeeded).
	Dispatched,
	/// It waits for more registrars to approve the same call.
	Pending {
		/// Approvals so far.
		approvals: u32,
		/// Approvals it needs.
		threshold: u32,
	},
}

/// The registrars' motion of `call`: the hash the collective files it under, and the length of
/// its encoding (the bound its proposal and closing give).
pub async fn motion_of(api: &EhrClient, call: &RuntimeCall) -> Result<(H256, u32), Error> {
	let metadata = api.at_current_block().await.map_err(chain)?.metadata();
	let encoded = call
		.encode_as_type(metadata.outer_enums().call_enum_ty(), metadata.types())
		.map_err(chain)?;
	Ok((BlakeTwo256.hash(&encoded), encoded.len() as u32))
}

/// The accounts of the `Registrars` collective.
pub async fn members(api: &EhrClient) -> Result<Vec<AccountId32>, Error> {
	let at = api.at_current_block().await.map_err(chain)?;
	at.storage()
		.fetch(ehr::storage().registrars().members(), ())
		.await
		.map_err(chain)?
		.decode()
		.map_err(chain)
}

/// The registrar `member` approves `call`: proposes it, votes for it, or closes it once the
/// quorum has approved (see the module doc). Gives [`Motion::Dispatched`] once the call ran,
/// the call's own refusal as [`Error::Refused`], or [`Error::NotRegistrar`] when `member` is not
/// one of the registrars.
pub async fn approve(
	api: &EhrClient,
	call: RuntimeCall,
	member: &Keypair,
) -> Result<Motion, Error> {
	let account = member.public_key().to_account_id();
	let members = members(api).await?;
	if !members.contains(&account) {
		return Err(Error::NotRegistrar { account: account.to_string() });
	}
	let (hash, length_bound) = motion_of(api, &call).await?;
	let at = api.at_current_block().await.map_err(chain)?;
	let votes = at
		.storage()
		.try_fetch(ehr::storage().registrars().voting(), (hash,))
		.await
		.map_err(chain)?
		.map(|votes| votes.decode())
		.transpose()
		.map_err(chain)?;
	let Some(votes) = votes else {
		let threshold = ehr_types::registrar_threshold(members.len() as u32);
		let tx = ehr::tx().registrars().propose(threshold, call, length_bound);
		let events = submit(api, &tx, member).await?;
		if threshold < 2 {
			return dispatched(api, &events).await;
		}
		// A proposal is not its proposer's vote.
		let proposed = events
			.find_first::<ehr::registrars::events::Proposed>()
			.ok_or_else(|| chain("the registrars' motion was not proposed"))?
			.map_err(chain)?;
		let vote = ehr::tx().registrars().vote(hash, proposed.proposal_index, true);
		submit(api, &vote, member).await?;
		return Ok(Motion::Pending { approvals: 1, threshold });
	};
	let mut approvals = votes.ayes.len() as u32;
	if !votes.ayes.contains(&account) {
		submit(api, &ehr::tx().registrars().vote(hash, votes.index, true), member).await?;
		approvals += 1;
	}
	if approvals < votes.threshold {
		return Ok(Motion::Pending { approvals, threshold: votes.threshold });
	}
	// The closing approval pays for the call's weight as a bound, refunded to what it used.
	let info = at
		.runtime_apis()
		.call(
			ehr::runtime_apis().transaction_payment_call_api().query_call_info(call, length_bound),
		)
		.await
		.map_err(chain)?;
	let tx = ehr::tx().registrars().close(hash, votes.index, info.weight, length_bound);
	let events = submit(api, &tx, member).await?;
	dispatched(api, &events).await
}

/// The outcome of the call a motion dispatched, from the `Registrars.Executed` event among
/// `events`.
async fn dispatched(api: &EhrClient, events: &ExtrinsicEvents<EhrConfig>) -> Result<Motion, Error> {
	let executed = events
		.find_first::<ehr::registrars::events::Executed>()
		.ok_or_else(|| chain("the registrars' motion was closed without being dispatched"))?
		.map_err(chain)?;
	match executed.result {
		Ok(()) => Ok(Motion::Dispatched),
		Err(failed) => Err(refusal(api, failed).await),
	}
}
